#!/usr/bin/env bash
# Create the Control Tower App Runner service from an ECR image (one-time setup; later releases
# use deploy_apprunner_controltower.sh). Health check: HTTP /health.
#
#   IMAGE_IDENTIFIER=123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/controltower:v1 \
#   ACCESS_ROLE_ARN=arn:aws:iam::123456789012:role/AppRunnerECRAccess create_apprunner_controltower.sh
#
# Environment: IMAGE_IDENTIFIER (required), SERVICE_NAME (default controltower), ACCESS_ROLE_ARN
# (ECR pull role), INSTANCE_ROLE_ARN, AWS_REGION, PORT (8000), CPU ("1 vCPU"), MEMORY ("2 GB"),
# RUNTIME_ENV ("NAME=value,..."), RUNTIME_SECRETS ("NAME=secret-arn,...": values stay in Secrets
# Manager / SSM), every exported SF_* (the Snowflake connection: an arn:... value as a secret
# reference, any other as a plain variable), BUILD_ID / GIT_SHA / RELEASE_TAG (passed as environment), DRY_RUN=1 (print the
# request instead of sending it), WAIT_TIMEOUT_S (default 900).

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
need_vars IMAGE_IDENTIFIER

request="$(mktemp)"
trap 'rm -f "$request"' EXIT
"$(python_bin)" "$SCRIPTS/_apprunner.py" create >"$request"
if is_on "${DRY_RUN:-0}"; then
  log "dry-run: aws apprunner create-service --cli-input-json with:"
  "$(python_bin)" "$SCRIPTS/_apprunner.py" create --redact 2>/dev/null
  exit 0
fi
need_cmd aws "AWS CLI v2"
arn="$(aws apprunner create-service --cli-input-json "file://$request" --query Service.ServiceArn --output text)"
log "created $arn; waiting for RUNNING"
SERVICE_ARN="$arn" "$SCRIPTS/_apprunner_wait.sh"
echo "$arn"
