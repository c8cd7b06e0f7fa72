#!/usr/bin/env bash
# Truth check: /health, /version and the UI's build banner of the deployed API and UI agree with
# the build we meant to ship (BUILD_ID / GIT_SHA / RELEASE_TAG); then writes the smoke artifact
# index (index.json, index.md) over everything in SMOKE_ARTIFACT_DIR.
#
#   API_URL=... UI_URL=... BUILD_ID=... GIT_SHA=... RELEASE_TAG=... post_deploy_truth_check.sh
#   TRUTH_EXPECT=deployed post_deploy_truth_check.sh     # scheduled: every surface shows the UI's build
#
# Environment: API_URL, UI_URL (defaults: the Azure Web Apps, as in post_deploy_*_smoke.sh),
# BUILD_ID, GIT_SHA, RELEASE_TAG (required, unless TRUTH_EXPECT=deployed: then what the UI's
# /version reports is expected of the API, the UI and the banner), SMOKE_TOKEN (required by a
# deployment whose reads need a login), TRUTH_PAGE (the UI page with the banner, default /),
# SMOKE_ARTIFACT_DIR (default var/smoke), PYTHON.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
azure_defaults
require_token_if_auth "${API_URL%/}/api/summary"
case "${TRUTH_EXPECT:-exported}" in
  exported) ;;
  deployed)
    body="$(http_get "${UI_URL%/}/version")" || die "${UI_URL%/}/version failed"
    for field in build_id git_sha release_tag; do
      var="${field^^}"
      [ -n "${!var:-}" ] || export "$var=$(json_field "build.$field" <<<"$body")"
    done
    log "expecting the UI's build: BUILD_ID=$BUILD_ID GIT_SHA=$GIT_SHA RELEASE_TAG=$RELEASE_TAG" ;;
  *) die "TRUTH_EXPECT is exported or deployed, not '$TRUTH_EXPECT'" ;;
esac
need_vars BUILD_ID GIT_SHA RELEASE_TAG
exec "$SCRIPTS/_smoke.sh" truth --api-url "$API_URL" --ui-url "$UI_URL" \
  --page "${TRUTH_PAGE:-/}" --artifacts "$(artifact_dir)"
