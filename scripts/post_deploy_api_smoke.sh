#!/usr/bin/env bash
# Entry point: runs deploy/scripts/post_deploy_api_smoke.sh (the implementation; --help describes it).
exec "$(dirname "$0")/../deploy/scripts/post_deploy_api_smoke.sh" "$@"
