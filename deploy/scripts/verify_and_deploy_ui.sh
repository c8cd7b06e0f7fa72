#!/usr/bin/env bash
# Build the control tier (UI) zip, verify it against its manifest, compare file hashes with the
# last deployed manifest, and deploy it to the UI Azure Web App; then check /health and /version.
#
#   SKIP_DEPLOY=1 verify_and_deploy_ui.sh            # package and verify only
#   RG=rg-ct WEBAPP_UI=ct-ui UI_URL=https://ct-ui.azurewebsites.net verify_and_deploy_ui.sh
#
# Environment: UI_DIR (default: the repository), RG, WEBAPP_UI, UI_URL (endpoint checks),
# BUILD_ID / GIT_SHA / RELEASE_TAG (stamped into the app settings when exported, then expected
# from /version), DEPLOY_RETRIES (default 2), STARTUP_COMMAND (default "bash deploy/startup.sh"),
# SKIP_DEPLOY=1, DRY_RUN=1 (print the az commands), FORCE_DEPLOY=1 (deploy even if unchanged),
# DEPLOY_OUT_DIR / DEPLOY_STATE_DIR (default var/deploy, var/deploy/state), HEALTH_TIMEOUT_S.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
TIER=ui exec "$SCRIPTS/_webapp_deploy.sh" "$@"
