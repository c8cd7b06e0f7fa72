#!/usr/bin/env bash
# Wait until the App Runner service SERVICE_ARN is RUNNING with no operation in progress; print its URL.
set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
need_vars SERVICE_ARN
deadline=$((SECONDS + ${WAIT_TIMEOUT_S:-900}))
while :; do
  status="$(aws apprunner describe-service --service-arn "$SERVICE_ARN" --query Service.Status --output text)"
  case "$status" in
    RUNNING) break ;;
    CREATE_FAILED | DELETED | DELETE_FAILED) die "service is $status" ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || die "service still $status after ${WAIT_TIMEOUT_S:-900}s"
  sleep 10
done
aws apprunner describe-service --service-arn "$SERVICE_ARN" --query Service.ServiceUrl --output text
