#!/usr/bin/env bash
# Point the App Runner service at a new image (IMAGE_IDENTIFIER), wait until it runs, then check
# /health and /version (which must show the exported BUILD_ID / GIT_SHA / RELEASE_TAG).
#
#   IMAGE_IDENTIFIER=<ecr-repo>:rel-20261204-120000 deploy_apprunner_controltower.sh
#
# Environment: IMAGE_IDENTIFIER (required), SERVICE_ARN (default: the service named SERVICE_NAME,
# default controltower, looked up; created by create_apprunner_controltower.sh when absent),
# APP_URL (default: the service URL), BUILD_ID / GIT_SHA / RELEASE_TAG (set on the service and
# expected from /version), every exported SF_* (the Snowflake connection, set on the service),
# AWS_REGION, DRY_RUN=1 (print the update instead of sending it), WAIT_TIMEOUT_S (900),
# HEALTH_TIMEOUT_S (300).

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
need_vars IMAGE_IDENTIFIER
SERVICE_NAME="${SERVICE_NAME:-controltower}"

if is_on "${DRY_RUN:-0}"; then
  if [ -z "${SERVICE_ARN:-}" ]; then
    log "dry-run: SERVICE_ARN not set: would look up the service named $SERVICE_NAME (created when absent)"
    export SERVICE_ARN="<arn of $SERVICE_NAME>"
  fi
  log "dry-run: aws apprunner update-service with:"
  echo '{}' | "$(python_bin)" "$SCRIPTS/_apprunner.py" update --redact
  [ -z "${APP_URL:-}" ] || check_endpoints "$APP_URL"
  exit 0
fi
need_cmd aws "AWS CLI v2"
if [ -z "${SERVICE_ARN:-}" ]; then
  SERVICE_ARN="$(aws apprunner list-services --output text \
    --query "ServiceSummaryList[?ServiceName=='$SERVICE_NAME'].ServiceArn | [0]")"
  if [ -z "$SERVICE_ARN" ] || [ "$SERVICE_ARN" = None ]; then
    log "no App Runner service named $SERVICE_NAME: creating it"
    exec "$SCRIPTS/create_apprunner_controltower.sh"
  fi
  export SERVICE_ARN
  log "service $SERVICE_NAME: $SERVICE_ARN"
fi
request="$(mktemp)"
trap 'rm -f "$request"' EXIT
aws apprunner describe-service --service-arn "$SERVICE_ARN" --output json |
  "$(python_bin)" "$SCRIPTS/_apprunner.py" update >"$request"
aws apprunner update-service --cli-input-json "file://$request" --query OperationId --output text >&2
log "update started for $IMAGE_IDENTIFIER; waiting for RUNNING"
url="$("$SCRIPTS/_apprunner_wait.sh")"
check_endpoints "${APP_URL:-https://$url}"
log "deployed $IMAGE_IDENTIFIER"
