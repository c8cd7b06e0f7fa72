#!/usr/bin/env bash
# Package, verify and deploy one tier to an Azure Web App (run through verify_and_deploy_API.sh
# or verify_and_deploy_ui.sh, which set TIER to api or ui).
set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"

TIER="${TIER:?TIER is api or ui}"
SCRIPT_NAME="verify_and_deploy_$TIER"
# A dry run checks endpoints only when their URL is given; a deploy checks the default URL too.
given_api_url="${API_URL:-}" given_ui_url="${UI_URL:-}"
azure_defaults
if is_on "${DRY_RUN:-0}"; then API_URL="$given_api_url" UI_URL="$given_ui_url"; fi
case "$TIER" in
  api) SRC_DIR="${API_DIR:-$ROOT}"; WEBAPP="${WEBAPP_API:-}"; URL="${API_URL:-}" ;;
  ui) SRC_DIR="${UI_DIR:-$ROOT}"; WEBAPP="${WEBAPP_UI:-}"; URL="${UI_URL:-}" ;;
  *) die "TIER must be api or ui, not '$TIER'" ;;
esac
DEPLOY_RETRIES="${DEPLOY_RETRIES:-2}"
OUT_DIR="${DEPLOY_OUT_DIR:-$ROOT/var/deploy}/$TIER"
STATE_DIR="${DEPLOY_STATE_DIR:-$ROOT/var/deploy/state}"
STARTUP_COMMAND="${STARTUP_COMMAND:-bash deploy/startup.sh}"
PY="$(python_bin)"
ZIP="$OUT_DIR/controltower-$TIER.zip"
MANIFEST="$OUT_DIR/controltower-$TIER.manifest.json"
LAST="$STATE_DIR/${WEBAPP:-$TIER}.last-deployed.json"

[ -d "$SRC_DIR" ] || die "source folder $SRC_DIR does not exist (${TIER^^}_DIR)"
[[ "$DEPLOY_RETRIES" =~ ^[0-9]+$ ]] || die "DEPLOY_RETRIES must be a number, not '$DEPLOY_RETRIES'"

log "packaging $SRC_DIR"
"$PY" "$SCRIPTS/package.py" build --src "$SRC_DIR" --out "$OUT_DIR" --name "$TIER" >&2
"$PY" "$SCRIPTS/package.py" verify --out "$OUT_DIR" --name "$TIER" >&2 || die "package verification failed"
changed=1
"$PY" "$SCRIPTS/package.py" changed --out "$OUT_DIR" --name "$TIER" --last "$LAST" >&2 || {
  rc=$?
  [ "$rc" -eq 3 ] || die "comparing with the last deployed manifest failed"
  changed=0
}

if is_on "${SKIP_DEPLOY:-0}"; then
  log "SKIP_DEPLOY=1: packaged and verified only: $ZIP"
  exit 0
fi

is_on "${DRY_RUN:-0}" || need_cmd az "Azure CLI"

# App settings and the startup command are stamped on every run, the package unchanged or not.
stamps=()
for var in BUILD_ID GIT_SHA RELEASE_TAG; do
  [ -n "${!var:-}" ] && stamps+=("$var=${!var}")
done
if [ "${#stamps[@]}" -gt 0 ]; then
  log "stamping ${stamps[*]} into $WEBAPP app settings (resource group $RG)"
  run az webapp config appsettings set -g "$RG" -n "$WEBAPP" --settings "${stamps[@]}" --output none
fi
log "enforcing startup command: $STARTUP_COMMAND"
run az webapp config set -g "$RG" -n "$WEBAPP" --startup-file "$STARTUP_COMMAND" --output none

if [ "$changed" -eq 0 ] && ! is_on "${FORCE_DEPLOY:-0}"; then
  log "no file changed since the last deploy to $WEBAPP: package not redeployed (FORCE_DEPLOY=1 deploys anyway)"
else
  attempt=0
  until run az webapp deploy -g "$RG" -n "$WEBAPP" --src-path "$ZIP" --type zip --track-status false; do
    attempt=$((attempt + 1))
    [ "$attempt" -le "$DEPLOY_RETRIES" ] || die "az webapp deploy failed after $attempt attempts"
    log "deploy attempt $attempt failed; retrying in $((attempt * 15))s"
    sleep $((attempt * 15))
  done
  if ! is_on "${DRY_RUN:-0}"; then
    mkdir -p "$STATE_DIR"
    cp "$MANIFEST" "$LAST"
  fi
  log "deployed $ZIP to $WEBAPP"
fi

if [ -n "$URL" ]; then
  check_endpoints "$URL"
else
  log "${TIER^^}_URL not set: endpoint checks skipped"
fi
