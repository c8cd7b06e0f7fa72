#!/usr/bin/env bash
# Bring a branch up to date before a release: fetch, check out TARGET_BRANCH, fast-forward it
# when it is the base branch, rebase it onto the base otherwise; push when PUSH=1.
#
#   git_update.sh                                  # current branch onto origin/main
#   BASE_BRANCH=main TARGET_BRANCH=release/x PUSH=1 git_update.sh
#
# Environment: BASE_BRANCH (default main), TARGET_BRANCH (default: the current branch),
# PUSH (default 0; a rebased branch is pushed with --force-with-lease), REMOTE (default origin),
# REPO_DIR (default: this repository), DRY_RUN=1 (print the push instead of running it).
# Refuses to run with uncommitted changes; a conflicting rebase is aborted, leaving the branch as it was.

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
need_cmd git

cd "${REPO_DIR:-$ROOT}"
BASE_BRANCH="${BASE_BRANCH:-main}"
REMOTE="${REMOTE:-origin}"
TARGET_BRANCH="${TARGET_BRANCH:-$(git rev-parse --abbrev-ref HEAD)}"
[ "$TARGET_BRANCH" != HEAD ] || die "detached HEAD: set TARGET_BRANCH"

if ! git diff --quiet || ! git diff --cached --quiet; then
  die "uncommitted changes in $(pwd): commit or stash them first"
fi

log "fetching $REMOTE"
git fetch --prune "$REMOTE"
git rev-parse --verify --quiet "$REMOTE/$BASE_BRANCH" >/dev/null || die "$REMOTE/$BASE_BRANCH does not exist"

if git rev-parse --verify --quiet "refs/heads/$TARGET_BRANCH" >/dev/null; then
  git checkout --quiet "$TARGET_BRANCH"
elif git rev-parse --verify --quiet "$REMOTE/$TARGET_BRANCH" >/dev/null; then
  git checkout --quiet --track "$REMOTE/$TARGET_BRANCH"
else
  die "branch $TARGET_BRANCH exists neither locally nor on $REMOTE"
fi

if [ "$TARGET_BRANCH" = "$BASE_BRANCH" ]; then
  git merge --ff-only --quiet "$REMOTE/$BASE_BRANCH" || die "$BASE_BRANCH has diverged from $REMOTE/$BASE_BRANCH: fast-forward impossible"
  log "$BASE_BRANCH fast-forwarded to $(git rev-parse --short HEAD)"
  push_args=("$REMOTE" "$BASE_BRANCH")
else
  if ! git rebase --quiet "$REMOTE/$BASE_BRANCH"; then
    git rebase --abort || true
    die "rebasing $TARGET_BRANCH onto $REMOTE/$BASE_BRANCH conflicts: resolve it by hand"
  fi
  log "$TARGET_BRANCH rebased onto $REMOTE/$BASE_BRANCH at $(git rev-parse --short HEAD)"
  push_args=(--force-with-lease "$REMOTE" "$TARGET_BRANCH")
fi

if is_on "${PUSH:-0}"; then
  run git push "${push_args[@]}"
  log "pushed $TARGET_BRANCH"
fi
