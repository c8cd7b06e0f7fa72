#!/usr/bin/env bash
# Release: git update -> API deploy -> UI deploy -> API smoke -> UI smoke. Each step can be
# switched off; a deploy step that fails stops the release, both smoke steps always run.
#
#   release.sh                                            # everything
#   RUN_GIT_UPDATE=0 RUN_DEPLOY_API=0 RUN_DEPLOY_UI=0 release.sh   # smoke only
#   SKIP_DEPLOY=1 release.sh                              # package and verify, no deploy
#
# Environment: RUN_GIT_UPDATE, RUN_DEPLOY_API, RUN_DEPLOY_UI, RUN_SMOKE_API, RUN_SMOKE_UI
# (each default 1), SKIP_DEPLOY, DRY_RUN, and what the steps read: BASE_BRANCH, TARGET_BRANCH, PUSH
# (git_update.sh); RG, WEBAPP_API, WEBAPP_UI, API_URL, UI_URL (each with its Azure default:
# rg-controltower, controltower-api, controltower-ui, https://<web app>.azurewebsites.net),
# BUILD_ID, GIT_SHA, RELEASE_TAG (verify_and_deploy_*.sh); SMOKE_TOKEN, SEMANTIC_PIPELINE_ID,
# ASSERT_RUNS7D_GT (smoke).
# The step results go to SMOKE_ARTIFACT_DIR/release_summary.txt.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"

export SEMANTIC_PIPELINE_ID="${SEMANTIC_PIPELINE_ID:-p2}"
export ASSERT_RUNS7D_GT="${ASSERT_RUNS7D_GT:-1000}"
summary="$(artifact_dir)/release_summary.txt"
: >"$summary"
failed=0

record() { printf '%-5s %s\n' "$1" "$2" | tee -a "$summary" >&2; }

step() {
  local switch="$1" name="$2" fatal="$3"
  shift 3
  if ! is_on "${!switch:-1}"; then
    record SKIP "$name ($switch=0)"
    return 0
  fi
  log "== $name"
  if "$@"; then
    record PASS "$name"
  else
    record FAIL "$name"
    failed=1
    if [ "$fatal" = fatal ]; then
      log "release stopped: $name failed"
      exit 1
    fi
  fi
}

step RUN_GIT_UPDATE "git update" fatal "$SCRIPTS/git_update.sh"
step RUN_DEPLOY_API "API deploy" fatal "$SCRIPTS/verify_and_deploy_API.sh"
step RUN_DEPLOY_UI "UI deploy" fatal "$SCRIPTS/verify_and_deploy_ui.sh"
step RUN_SMOKE_API "API smoke" continue "$SCRIPTS/post_deploy_api_smoke.sh"
step RUN_SMOKE_UI "UI smoke" continue "$SCRIPTS/post_deploy_ui_smoke.sh"

if [ "$failed" -eq 0 ]; then log "release passed"; else log "release FAILED (see $summary)"; fi
exit "$failed"
