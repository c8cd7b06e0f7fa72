#!/usr/bin/env bash
# After a failed release or smoke job: probe the deployed tiers and the smoke logs, classify what
# went wrong (unreachable, auth, server error, degraded, build mismatch, contract), and write
# failure_diagnosis.md into SMOKE_ARTIFACT_DIR (and the GitHub step summary). (The deliberate
# failure, proving that CI surfaces one, is ci_failure_probe.sh.)
#
#   API_URL=... UI_URL=... SMOKE_TOKEN=... ci_failure_diagnose.sh
#
# Environment: API_URL, UI_URL (each optional; with neither, the Azure Web Apps' default URLs), SMOKE_TOKEN, BUILD_ID (expected; optional),
# SMOKE_ARTIFACT_DIR (default var/smoke), PROBE_STRICT=1 (exit 1 when a problem is found; default 0).

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"

[ -n "${API_URL:-}" ] || [ -n "${UI_URL:-}" ] || azure_defaults
dir="$(artifact_dir)"
report="$dir/failure_diagnosis.md"
problems=0
lines=("# Failure diagnosis — $(date -u +%Y-%m-%dT%H:%M:%SZ)" "")

note() {
  lines+=("- $1")
  case "$1" in OK*) ;; *) problems=$((problems + 1)) ;; esac
}

# A tier mounts only its own routes (a source API /api/*, the UI's control tier /api/aggregate/*),
# so each is probed on its own summary route, and a 404 there means the URL is the other tier.
probe_tier() {
  local tier="$1" url="${2%/}" summary="$3" code body auth=()
  [ -n "${SMOKE_TOKEN:-}" ] && auth=(-H "Authorization: Token ${SMOKE_TOKEN}")
  body="$(mktemp)"
  code="$(curl -sS -o "$body" -w '%{http_code}' --max-time 15 "$url/health" 2>/dev/null)" || code=000
  case "$code" in
    000) note "UNREACHABLE $tier: $url/health did not answer (DNS, network or the app is down)" ;;
    401 | 403) note "AUTH $tier: $url/health answered $code" ;;
    5??) note "SERVER_ERROR $tier: $url/health answered $code" ;;
    200)
      if [ "$(json_field status <"$body")" = ok ]; then
        note "OK $tier: /health ok"
      else
        note "DEGRADED $tier: /health says $(json_field status <"$body") (database $(json_field database.status <"$body"), warehouse $(json_field warehouse.status <"$body"), broker $(json_field broker.status <"$body"))"
      fi ;;
    *) note "UNEXPECTED $tier: $url/health answered $code" ;;
  esac
  if [ "$code" != 000 ]; then
    code="$(curl -sS -o "$body" -w '%{http_code}' --max-time 15 "$url/version" 2>/dev/null)" || code=000
    if [ "$code" = 200 ]; then
      local got
      got="$(json_field build.build_id <"$body")"
      if [ -n "${BUILD_ID:-}" ] && [ "$got" != "$BUILD_ID" ]; then
        note "BUILD_MISMATCH $tier: /version build_id '$got', expected '$BUILD_ID'"
      else
        note "OK $tier: /version build_id '${got:-<empty>}'"
      fi
    fi
    code="$(curl -sS -o "$body" -w '%{http_code}' --max-time 15 "${auth[@]}" "$url$summary" 2>/dev/null)" || code=000
    case "$code" in
      401 | 403) note "AUTH $tier: $summary answered $code (check SMOKE_TOKEN and its role)" ;;
      404) note "WRONG_TIER $tier: $summary answered 404 (is $url the $tier tier? see /health's tier)" ;;
      5??) note "SERVER_ERROR $tier: $summary answered $code" ;;
    esac
  fi
  rm -f "$body"
}

[ -n "${API_URL:-}" ] && probe_tier API "$API_URL" /api/summary
[ -n "${UI_URL:-}" ] && probe_tier UI "$UI_URL" /api/aggregate/summary

for log_file in "$dir"/*_smoke.log; do
  [ -e "$log_file" ] || continue
  while IFS= read -r failed_line; do
    note "CONTRACT $(basename "$log_file" .log): ${failed_line#FAIL }"
  done < <(grep -E '^FAIL [a-z_0-9]+:' "$log_file" || true)
done

[ "$problems" -gt 0 ] || lines+=("- no problem found: the failure may be transient; rerun the job")
lines+=("" "$problems problem(s) found.")
printf '%s\n' "${lines[@]}" | tee "$report"
[ -z "${GITHUB_STEP_SUMMARY:-}" ] || printf '%s\n' "${lines[@]}" >>"$GITHUB_STEP_SUMMARY"
if [ "$problems" -gt 0 ] && is_on "${PROBE_STRICT:-0}"; then
  exit 1
fi
exit 0
