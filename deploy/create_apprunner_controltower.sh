#!/usr/bin/env bash
# Entry point: runs deploy/scripts/create_apprunner_controltower.sh (the implementation; --help describes it).
exec "$(dirname "$0")/scripts/create_apprunner_controltower.sh" "$@"
