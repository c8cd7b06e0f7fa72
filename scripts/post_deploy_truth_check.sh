#!/usr/bin/env bash
# Entry point: runs deploy/scripts/post_deploy_truth_check.sh (the implementation; --help describes it).
exec "$(dirname "$0")/../deploy/scripts/post_deploy_truth_check.sh" "$@"
