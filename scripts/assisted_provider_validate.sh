#!/usr/bin/env bash
# Entry point: runs deploy/scripts/assisted_provider_validate.sh (the implementation; --help describes it).
exec "$(dirname "$0")/../deploy/scripts/assisted_provider_validate.sh" "$@"
