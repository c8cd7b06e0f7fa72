#!/usr/bin/env bash
# Validate assisted triage on a deployment: the provider posture (/api/triage/assisted/provider/status)
# and, with ASSISTED_PROBE_QUERY=1, one assisted triage query that must come back in assisted mode
# (not a silent fallback to the deterministic rules).
#
#   ASSISTED_URL=https://ct-api.example.com SMOKE_TOKEN=... ASSISTED_REQUIRE=1 assisted_provider_validate.sh
#   EXPECT_AZURE_ASSISTED=1 assisted_provider_validate.sh    # strict: must be Azure OpenAI
#
# Environment: ASSISTED_URL (default API_URL, default the API Web App's URL), SMOKE_TOKEN, ASSISTED_REQUIRE (1 = fail unless a
# provider is enabled and configured; default 0 = report), EXPECT_AZURE_ASSISTED (1 = strict: fail
# unless the selected provider is azure_openai, enabled and configured; same as
# ASSISTED_EXPECT_PROVIDER=azure_openai), ASSISTED_EXPECT_PROVIDER (fail unless this provider is
# selected, enabled and configured), ASSISTED_PROBE_QUERY (1 = send a query),
# ASSISTED_PROBE_SOURCE (the triage query's source, default aws), SMOKE_ARTIFACT_DIR.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
[ -n "${ASSISTED_URL:-}" ] || azure_defaults
url="${ASSISTED_URL:-$API_URL}"
url="${url%/}"
dir="$(artifact_dir)"

status="$(http_get "$url/api/triage/assisted/provider/status")" || die "$url/api/triage/assisted/provider/status failed"
printf '%s\n' "$status" >"$dir/assisted_provider_status.json"
enabled="$(json_field enabled <<<"$status")"
configured="$(json_field configured <<<"$status")"
provider="$(json_field selected_provider <<<"$status")"
policy="$(json_field failure_policy <<<"$status")"
log "provider '${provider:-none}' enabled=$enabled configured=$configured failure_policy=$policy"

expect_provider="${ASSISTED_EXPECT_PROVIDER:-}"
is_on "${EXPECT_AZURE_ASSISTED:-0}" && expect_provider=azure_openai
if [ -n "$expect_provider" ]; then
  [ "$provider" = "$expect_provider" ] ||
    die "expected assisted provider $expect_provider, the deployment selects '${provider:-none}' (see $dir/assisted_provider_status.json)"
  ASSISTED_REQUIRE=1
fi

if [ "$enabled" != true ] || [ "$configured" != true ]; then
  if is_on "${ASSISTED_REQUIRE:-0}"; then
    die "assisted triage is not enabled and configured (see $dir/assisted_provider_status.json)"
  fi
  log "assisted triage is off or incomplete: deterministic answers only"
  exit 0
fi

if is_on "${ASSISTED_PROBE_QUERY:-0}"; then
  body='{"source": "'"${ASSISTED_PROBE_SOURCE:-aws}"'", "mode": "assisted", "error_code": "E_TIMEOUT", "error_message": "Task timed out after 300s", "user_prompt": "assisted provider validation"}'
  auth=()
  [ -n "${SMOKE_TOKEN:-}" ] && auth=(-H "Authorization: Token ${SMOKE_TOKEN}")
  answer="$(curl -fsS --max-time 120 "${auth[@]}" -H 'Content-Type: application/json' -d "$body" "$url/api/triage/query")" ||
    die "the assisted triage query failed"
  printf '%s\n' "$answer" >"$dir/assisted_probe_answer.json"
  mode="$(json_field mode <<<"$answer")"
  case "$mode" in
    assisted_*) log "assisted query answered in mode $mode" ;;
    *) die "assisted query fell back to mode '$mode' (warnings: $(json_field warnings <<<"$answer"))" ;;
  esac
fi
log "assisted provider validated"
