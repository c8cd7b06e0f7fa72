#!/usr/bin/env bash
# Post-deploy UI smoke: the UI contract (manage.py smoke ui) against the control tier: identity,
# aggregate summary / costs / pipelines (aws and both) / incidents / SLA / runs pagination, and the
# semantic checks. Exit 0 when every check passed, 1 otherwise.
#
#   UI_URL=https://ct.example.com SMOKE_TOKEN=... post_deploy_ui_smoke.sh
#
# Environment: UI_URL (default https://$WEBAPP_UI.azurewebsites.net, WEBAPP_UI default
# controltower-ui), SMOKE_TOKEN (never printed; required by a deployment whose reads need a login,
# which otherwise stops the smoke with one line saying so), SEMANTIC_PIPELINE_ID (default p2),
# ASSERT_RUNS7D_GT (default 1000), SMOKE_TIMEOUT_S, SMOKE_ARTIFACT_DIR (default var/smoke), PYTHON.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
azure_defaults
require_token_if_auth "${UI_URL%/}/api/aggregate/summary"
exec "$SCRIPTS/_smoke.sh" ui --url "$UI_URL"
