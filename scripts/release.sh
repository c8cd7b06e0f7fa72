#!/usr/bin/env bash
# Entry point: runs deploy/scripts/release.sh (the implementation; --help describes it).
exec "$(dirname "$0")/../deploy/scripts/release.sh" "$@"
