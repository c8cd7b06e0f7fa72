#!/usr/bin/env bash
# Build the control tier (UI) zip, verify it against its manifest, compare file hashes with the
# last deployed manifest, and deploy it to the UI Azure Web App; then check /health and /version.
#
#   SKIP_DEPLOY=1 verify_and_deploy_ui.sh            # package and verify only
#   verify_and_deploy_ui.sh                         # deploy to the default Web App
#   RG=rg-ct WEBAPP_UI=ct-ui UI_URL=https://ct-ui.azurewebsites.net verify_and_deploy_ui.sh
#
# Environment: UI_DIR (default: the repository), RG (default rg-controltower), WEBAPP_UI
# (default controltower-ui), UI_URL (endpoint checks; default https://$WEBAPP_UI.azurewebsites.net,
# a dry run checks only a given URL), BUILD_ID / GIT_SHA / RELEASE_TAG (stamped into the app
# settings when exported, then expected from /version). App settings and the startup command are
# set on every run; the zip is deployed only when a file changed since the last deploy.
# DEPLOY_RETRIES (default 2), STARTUP_COMMAND (default "bash deploy/startup.sh"),
# SKIP_DEPLOY=1, DRY_RUN=1 (print the az commands), FORCE_DEPLOY=1 (deploy even if unchanged),
# DEPLOY_OUT_DIR / DEPLOY_STATE_DIR (default var/deploy, var/deploy/state), HEALTH_TIMEOUT_S.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
TIER=ui exec "$SCRIPTS/_webapp_deploy.sh" "$@"
