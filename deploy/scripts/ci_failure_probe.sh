#!/usr/bin/env bash
# The deliberate negative probe: proves that CI surfaces a failure. It checks a deployed tier's
# /version against a build that cannot be there (BUILD_ID=failure-probe-<time>); the check must
# catch it, and the probe then exits 1, so the job goes red and its failure steps (diagnosis,
# webhook alert) run. Workflows run it only when asked (input run_failure_probe, default false).
# After a real failure, ci_failure_diagnose.sh classifies what went wrong.
#
#   API_URL=https://ct-api.example.com SMOKE_TOKEN=... ci_failure_probe.sh    # exits 1, on purpose
#
# Environment: API_URL (default UI_URL; with neither, it fails without probing), SMOKE_TOKEN,
# HEALTH_TIMEOUT_S (default 60), SMOKE_ARTIFACT_DIR (default var/smoke; failure_probe.md goes there).
# Exit: 1 = the check caught the deliberate mismatch (the expected outcome); 2 = it did not, so
# the smoke gate cannot see a wrong build.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"

url="${API_URL:-${UI_URL:-}}"
bogus="failure-probe-$(date -u +%Y%m%d-%H%M%S)"
report="$(artifact_dir)/failure_probe.md"
if [ -z "$url" ]; then
  outcome="no API_URL or UI_URL: nothing probed"
else
  url="${url%/}"
  caught="$(
    export BUILD_ID="$bogus" GIT_SHA="" RELEASE_TAG="" HEALTH_TIMEOUT_S="${HEALTH_TIMEOUT_S:-60}"
    check_endpoints "$url" 2>&1 >/dev/null
  )" && {
    printf '# Failure probe\n\n- BLIND: %s/version accepted build_id %s\n' "$url" "$bogus" >"$report"
    log "ERROR: $url/version accepted the impossible build_id $bogus: the smoke gate cannot see a wrong build"
    exit 2
  }
  caught="${caught##*ERROR: }"
  case "$caught" in
    *"expected '$bogus'"*) outcome="the check caught the wrong build: $caught" ;;
    *) outcome="the tier could not be checked: $caught" ;;
  esac
fi
printf '# Failure probe\n\n- expected build_id %s (deliberately wrong)\n- %s\n' "$bogus" "$outcome" >"$report"
die "deliberate failure (run_failure_probe): $outcome"
