#!/usr/bin/env bash
# Entry point: runs deploy/scripts/deploy_apprunner_controltower_rel.sh (the implementation; --help describes it).
exec "$(dirname "$0")/scripts/deploy_apprunner_controltower_rel.sh" "$@"
