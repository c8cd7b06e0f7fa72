#!/usr/bin/env bash
# CI preflight: before a release job touches anything, classify the configuration and secrets it
# needs as present or missing, by scope, without printing any value. Strict mode fails the job when
# something required is missing; warn mode reports and carries on.
#
#   PREFLIGHT_SCOPE=smoke,azure PREFLIGHT_STRICT=1 ci_preflight.sh
#
# Environment: PREFLIGHT_SCOPE (comma list of smoke, azure, apprunner, alerts, assisted;
# default smoke), PREFLIGHT_STRICT (1 = exit 1 on a missing required item; default 0 = warn).
# "A|B" means either will do; a "default" item, when unset, takes the scripts' default (the
# Azure resource group, Web App names and their URLs; the ECR repository and region from
# SERVICE_ARN; the application's: ASSISTED_TRIAGE_PROVIDER is bedrock). Writes a table to GITHUB_STEP_SUMMARY when set; under GitHub Actions missing
# items are also annotations.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"

# scope  kind    need      variable(s)
REQUIREMENTS="
smoke     config  default   API_URL
smoke     config  default   UI_URL
smoke     secret  required  SMOKE_TOKEN
smoke     config  optional  SEMANTIC_PIPELINE_ID
smoke     config  optional  ASSERT_RUNS7D_GT
azure     config  default   RG
azure     config  default   WEBAPP_API
azure     config  default   WEBAPP_UI
azure     secret  required  AZURE_CREDENTIALS|AZURE_CLIENT_ID
azure     config  optional  AZURE_SUBSCRIPTION_ID
apprunner config  required  SERVICE_ARN
apprunner config  default   ECR_REPOSITORY
apprunner config  default   AWS_REGION
apprunner secret  required  AWS_ROLE_ARN|AWS_ACCESS_KEY_ID
alerts    secret  required  SMOKE_ALERT_WEBHOOK|CT_ALERT_WEBHOOK
assisted  config  default   ASSISTED_TRIAGE_PROVIDER
assisted  config  optional  BEDROCK_MODEL_ID|AZURE_OPENAI_DEPLOYMENT|OPENAI_MODEL
assisted  secret  optional  AZURE_OPENAI_API_KEY|OPENAI_API_KEY|AWS_ROLE_ARN
"

scopes=",${PREFLIGHT_SCOPE:-smoke},"
strict="${PREFLIGHT_STRICT:-0}"
missing_required=0
missing_optional=0
defaulted=0
rows=()

present() {
  local name
  IFS='|' read -r -a names <<<"$1"
  for name in "${names[@]}"; do [ -n "${!name:-}" ] && return 0; done
  return 1
}

while read -r scope kind need vars; do
  [ -n "$scope" ] || continue
  [[ "$scopes" == *",$scope,"* ]] || continue
  if present "$vars"; then
    state=ok
  elif [ "$need" = default ]; then
    state=default
    defaulted=$((defaulted + 1))
  elif [ "$need" = required ]; then
    state=MISSING
    missing_required=$((missing_required + 1))
  else
    state=missing
    missing_optional=$((missing_optional + 1))
  fi
  printf '%-8s %-9s %-6s %-8s %s\n' "$state" "$scope" "$kind" "$need" "$vars"
  rows+=("| $state | $scope | $kind | $need | \`$vars\` |")
  if [ "$state" != ok ] && [ "$state" != default ] && [ "${GITHUB_ACTIONS:-}" = true ]; then
    level=warning
    [ "$state" = MISSING ] && is_on "$strict" && level=error
    echo "::$level title=preflight::$need $kind $vars is not set ($scope)"
  fi
done <<<"$REQUIREMENTS"

mode="warn"
is_on "$strict" && mode="strict"
verdict="preflight ($mode, scope ${PREFLIGHT_SCOPE:-smoke}): $missing_required required and $missing_optional optional item(s) missing, $defaulted left to the scripts' defaults"
echo "$verdict"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "### CI preflight"
    echo
    echo "| state | scope | kind | need | variable |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "$verdict"
  } >>"$GITHUB_STEP_SUMMARY"
fi
if [ "$missing_required" -gt 0 ] && is_on "$strict"; then
  exit 1
fi
exit 0
