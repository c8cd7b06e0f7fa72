#!/usr/bin/env bash
# Entry point: runs deploy/scripts/git_update.sh (the implementation; --help describes it).
exec "$(dirname "$0")/../deploy/scripts/git_update.sh" "$@"
