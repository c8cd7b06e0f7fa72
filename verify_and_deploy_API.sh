#!/usr/bin/env bash
# Entry point: runs deploy/scripts/verify_and_deploy_API.sh (the implementation; --help describes it).
exec "$(dirname "$0")/deploy/scripts/verify_and_deploy_API.sh" "$@"
