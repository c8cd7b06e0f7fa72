#!/usr/bin/env bash
# Entry point: runs deploy/scripts/ci_failure_probe.sh (the implementation; --help describes it).
exec "$(dirname "$0")/../deploy/scripts/ci_failure_probe.sh" "$@"
