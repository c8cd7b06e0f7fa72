#!/usr/bin/env bash
# Post an alert to a webhook as JSON: Slack-compatible ({"text": ...}) when the URL is a Slack
# incoming webhook, else {"event", "status", "text", "url", "run_url"}. The URL is never printed.
#
#   ALERT_WEBHOOK="$SMOKE_ALERT_WEBHOOK" notify_webhook.sh smoke_failed "Scheduled smoke failed" [link]
#
# Environment: ALERT_WEBHOOK (default SMOKE_ALERT_WEBHOOK, then CT_ALERT_WEBHOOK; nothing set =
# nothing sent), DRY_RUN=1 (print the payload instead of posting it).

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
event="${1:?event name}"
text="${2:?alert text}"
link="${3:-}"
hook="${ALERT_WEBHOOK:-${SMOKE_ALERT_WEBHOOK:-${CT_ALERT_WEBHOOK:-}}}"
if [ -z "$hook" ]; then
  log "no webhook configured: alert not sent ($event)"
  exit 0
fi
payload="$(HOOK="$hook" "$(python_bin)" -c 'import json, os, sys
event, text, link = sys.argv[1:4]
if "hooks.slack.com" in os.environ["HOOK"]:
    print(json.dumps({"text": text + (f" <{link}|details>" if link else "")}))
else:
    print(json.dumps({"event": event, "status": "alert", "text": text, "url": link}))' "$event" "$text" "$link")"
if is_on "${DRY_RUN:-0}"; then
  log "dry-run: would POST $payload"
  exit 0
fi
curl -fsS --max-time 15 -X POST -H 'Content-Type: application/json' -d "$payload" "$hook" >/dev/null
log "alert sent ($event)"
