#!/usr/bin/env bash
# Run one `manage.py smoke` contract, keeping its log and JSON report in SMOKE_ARTIFACT_DIR
# (run through post_deploy_api_smoke.sh / post_deploy_ui_smoke.sh / post_deploy_truth_check.sh).
set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"

CONTRACT="${1:?contract: api, ui or truth}"
shift
SCRIPT_NAME="smoke_$CONTRACT"
dir="$(artifact_dir)"
cd "$ROOT"
log "running the $CONTRACT contract (log: $dir/${CONTRACT}_smoke.log)"
set +e
"$(python_bin)" manage.py smoke "$CONTRACT" "$@" --json "$dir/${CONTRACT}_smoke.json" 2>&1 | tee "$dir/${CONTRACT}_smoke.log"
rc="${PIPESTATUS[0]}"
set -e
if [ "$rc" -eq 0 ]; then log "$CONTRACT smoke passed"; else log "$CONTRACT smoke FAILED (exit $rc)"; fi
exit "$rc"
