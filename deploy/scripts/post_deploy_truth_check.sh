#!/usr/bin/env bash
# Truth check: /health, /version and the UI's build banner of the deployed API and UI agree with
# the build we meant to ship (BUILD_ID / GIT_SHA / RELEASE_TAG); then writes the smoke artifact
# index (index.json, index.md) over everything in SMOKE_ARTIFACT_DIR.
#
#   API_URL=... UI_URL=... BUILD_ID=... GIT_SHA=... RELEASE_TAG=... post_deploy_truth_check.sh
#
# Environment: API_URL, UI_URL, BUILD_ID, GIT_SHA, RELEASE_TAG (all required), SMOKE_TOKEN,
# TRUTH_PAGE (the UI page with the banner, default /), SMOKE_ARTIFACT_DIR (default var/smoke), PYTHON.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
need_vars API_URL UI_URL BUILD_ID GIT_SHA RELEASE_TAG
exec "$SCRIPTS/_smoke.sh" truth --api-url "$API_URL" --ui-url "$UI_URL" \
  --page "${TRUTH_PAGE:-/}" --artifacts "$(artifact_dir)"
