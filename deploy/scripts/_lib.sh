# shellcheck shell=bash
# Helpers shared by the deploy scripts (sourced, never run). Conventions: every knob is an
# environment variable; DRY_RUN=1 prints cloud-touching commands instead of running them (with
# secret-looking values masked); nothing prints a secret.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034  # used by the scripts that source this file
SCRIPTS="$ROOT/deploy/scripts"
SCRIPT_NAME="$(basename "$0" .sh)"

log() { printf '[%s] %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
is_on() { case "${1:-}" in 1 | true | TRUE | yes | on) return 0 ;; *) return 1 ;; esac; }

# The script's header comment (lines after the shebang, up to the first blank line).
usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }
maybe_help() {
  case "${1:-}" in -h | --help) usage; exit 0 ;; esac
}

# Mask the value of NAME=value arguments whose NAME looks secret.
redact() {
  local arg
  for arg in "$@"; do
    if [[ "$arg" =~ ^([A-Za-z0-9_]*(TOKEN|SECRET|PASSWORD|PASS|KEY|WEBHOOK|CREDENTIAL)[A-Za-z0-9_]*)=.+ ]]; then
      printf '%s=*** ' "${BASH_REMATCH[1]}"
    else
      printf '%q ' "$arg"
    fi
  done
}

# Run a command that touches the cloud (or print it under DRY_RUN=1).
run() {
  if is_on "${DRY_RUN:-0}"; then
    log "dry-run: $(redact "$@")"
    return 0
  fi
  "$@"
}

need_cmd() { command -v "$1" >/dev/null 2>&1 || die "$1 is required${2:+ ($2)}"; }

need_vars() {
  local missing=() name
  for name in "$@"; do [ -n "${!name:-}" ] || missing+=("$name"); done
  [ "${#missing[@]}" -eq 0 ] || die "set ${missing[*]} (see --help)"
}

# The project's Python: the virtualenv when there is one.
python_bin() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"
  elif [ -x "$ROOT/.venv/bin/python" ]; then echo "$ROOT/.venv/bin/python"
  else echo python3
  fi
}

# GET url -> body on stdout; fails on a non-2xx status. Token from SMOKE_TOKEN when set.
http_get() {
  local url="$1" auth=()
  [ -n "${SMOKE_TOKEN:-}" ] && auth=(-H "Authorization: Token ${SMOKE_TOKEN}")
  curl -fsS --max-time "${HTTP_TIMEOUT_S:-20}" "${auth[@]}" "$url"
}

# Read a dotted field from JSON on stdin ("build.build_id"); prints "" when absent.
json_field() {
  "$(python_bin)" -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v=v.get(k) if isinstance(v,dict) else None
print("" if v is None else json.dumps(v) if isinstance(v, (bool, list, dict)) else v)' "$1"
}

# Poll URL/health until it answers ok, then compare /version with the exported build identity.
check_endpoints() {
  local url="${1%/}" deadline body field want got
  deadline=$((SECONDS + ${HEALTH_TIMEOUT_S:-300}))
  until body="$(http_get "$url/health" 2>/dev/null)" && [ "$(json_field status <<<"$body")" = "ok" ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "$url/health did not answer ok within ${HEALTH_TIMEOUT_S:-300}s"
    sleep "${HEALTH_POLL_S:-5}"
  done
  log "$url/health ok"
  body="$(http_get "$url/version")" || die "$url/version failed"
  for field in build_id git_sha release_tag; do
    want="$(printenv "$(tr '[:lower:]' '[:upper:]' <<<"$field")" || true)"
    got="$(json_field "build.$field" <<<"$body")"
    if [ -n "$want" ] && [ "$want" != "$got" ]; then
      die "$url/version build.$field is '$got', expected '$want'"
    fi
  done
  log "$url/version build_id=$(json_field build.build_id <<<"$body") git_sha=$(json_field build.git_sha <<<"$body")"
}

# The Azure targets when not named: resource group, Web App names and their default URLs.
AZURE_RG_DEFAULT=rg-controltower
AZURE_WEBAPP_API_DEFAULT=controltower-api
AZURE_WEBAPP_UI_DEFAULT=controltower-ui
azure_defaults() {
  RG="${RG:-$AZURE_RG_DEFAULT}"
  WEBAPP_API="${WEBAPP_API:-$AZURE_WEBAPP_API_DEFAULT}"
  WEBAPP_UI="${WEBAPP_UI:-$AZURE_WEBAPP_UI_DEFAULT}"
  API_URL="${API_URL:-https://$WEBAPP_API.azurewebsites.net}"
  UI_URL="${UI_URL:-https://$WEBAPP_UI.azurewebsites.net}"
  export RG WEBAPP_API WEBAPP_UI API_URL UI_URL
}

# Without SMOKE_TOKEN, a deployment whose reads need a login fails every smoke check with the
# same 401: say it once. URL is a route that needs a login there (e.g. /api/summary).
require_token_if_auth() {
  local url="$1" code
  [ -z "${SMOKE_TOKEN:-}" ] || return 0
  code="$(curl -sS -o /dev/null -w '%{http_code}' --max-time "${HTTP_TIMEOUT_S:-20}" "$url" 2>/dev/null)" || return 0
  case "$code" in
    401 | 403) die "${url%%/api/*} needs authentication (GET ${url#"${url%%/api/*}"} answered $code): set SMOKE_TOKEN to a viewer token (manage.py ct_user NAME --role viewer prints one)" ;;
  esac
}

artifact_dir() {
  local dir="${SMOKE_ARTIFACT_DIR:-$ROOT/var/smoke}"
  mkdir -p "$dir"
  echo "$dir"
}
