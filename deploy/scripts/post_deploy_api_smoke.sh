#!/usr/bin/env bash
# Post-deploy API smoke: the API contract (manage.py smoke api) against a source API deployment.
# One line per check (PASS/FAIL and why); exit 0 when every check passed, 1 otherwise.
#
#   API_URL=https://ct-api.example.com SMOKE_TOKEN=... post_deploy_api_smoke.sh
#
# Environment: API_URL (default https://$WEBAPP_API.azurewebsites.net, WEBAPP_API default
# controltower-api), SMOKE_TOKEN (a viewer token; never printed; without it, a deployment whose
# reads need a login stops the smoke at once with one line saying to set it),
# SEMANTIC_PIPELINE_ID (default p2), IMPACT_REQUIRED (default 1), SMOKE_TIMEOUT_S,
# SMOKE_ARTIFACT_DIR (default var/smoke: api_smoke.log and api_smoke.json go there), PYTHON.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
azure_defaults
require_token_if_auth "${API_URL%/}/api/summary"
exec "$SCRIPTS/_smoke.sh" api --url "$API_URL"
