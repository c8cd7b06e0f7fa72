#!/usr/bin/env bash
# Point the App Runner service at a new image (IMAGE_IDENTIFIER), wait until it runs, then check
# /health and /version (which must show the exported BUILD_ID / GIT_SHA / RELEASE_TAG).
#
#   SERVICE_ARN=arn:aws:apprunner:... IMAGE_IDENTIFIER=<ecr-repo>:v2 deploy_apprunner_controltower.sh
#
# Environment: SERVICE_ARN and IMAGE_IDENTIFIER (required), APP_URL (default: the service URL),
# BUILD_ID / GIT_SHA / RELEASE_TAG (set on the service and expected from /version), AWS_REGION,
# DRY_RUN=1 (print the update instead of sending it), WAIT_TIMEOUT_S (900), HEALTH_TIMEOUT_S (300).

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
need_vars SERVICE_ARN IMAGE_IDENTIFIER

if is_on "${DRY_RUN:-0}"; then
  log "dry-run: aws apprunner update-service with:"
  echo '{}' | "$(python_bin)" "$SCRIPTS/_apprunner.py" update
  [ -z "${APP_URL:-}" ] || check_endpoints "$APP_URL"
  exit 0
fi
need_cmd aws "AWS CLI v2"
request="$(mktemp)"
trap 'rm -f "$request"' EXIT
aws apprunner describe-service --service-arn "$SERVICE_ARN" --output json |
  "$(python_bin)" "$SCRIPTS/_apprunner.py" update >"$request"
aws apprunner update-service --cli-input-json "file://$request" --query OperationId --output text >&2
log "update started for $IMAGE_IDENTIFIER; waiting for RUNNING"
url="$("$SCRIPTS/_apprunner_wait.sh")"
check_endpoints "${APP_URL:-https://$url}"
log "deployed $IMAGE_IDENTIFIER"
