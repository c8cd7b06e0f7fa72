#!/usr/bin/env bash
# Release to App Runner: build the image (deploy/Dockerfile, build identity baked in), push it to
# ECR, then update the service by SERVICE_ARN (deploy_apprunner_controltower.sh).
#
#   ECR_REPOSITORY=123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/controltower \
#   SERVICE_ARN=arn:aws:apprunner:... RELEASE_TAG=v2026.11.1 deploy_apprunner_controltower_rel.sh
#
# Environment: ECR_REPOSITORY and SERVICE_ARN (required), IMAGE_TAG (default RELEASE_TAG, else
# the short GIT_SHA), BUILD_ID / GIT_SHA / RELEASE_TAG (GIT_SHA defaults to HEAD, BUILD_ID to
# the tag), AWS_REGION, APP_URL, DRY_RUN=1 (print docker / aws commands instead of running them).

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
need_vars ECR_REPOSITORY SERVICE_ARN

export GIT_SHA="${GIT_SHA:-$(git -C "$ROOT" rev-parse HEAD)}"
IMAGE_TAG="${IMAGE_TAG:-${RELEASE_TAG:-${GIT_SHA:0:12}}}"
export BUILD_ID="${BUILD_ID:-$IMAGE_TAG}"
export RELEASE_TAG="${RELEASE_TAG:-$IMAGE_TAG}"
image="$ECR_REPOSITORY:$IMAGE_TAG"
registry="${ECR_REPOSITORY%%/*}"

ecr_login() {
  aws ecr get-login-password ${AWS_REGION:+--region "$AWS_REGION"} |
    docker login --username AWS --password-stdin "$registry"
}

if ! is_on "${DRY_RUN:-0}"; then
  need_cmd docker
  need_cmd aws "AWS CLI v2"
fi
run docker build -f "$ROOT/deploy/Dockerfile" \
  --build-arg "BUILD_ID=$BUILD_ID" --build-arg "GIT_SHA=$GIT_SHA" --build-arg "RELEASE_TAG=$RELEASE_TAG" \
  -t "$image" "$ROOT"
run ecr_login
run docker push "$image"
IMAGE_IDENTIFIER="$image" "$SCRIPTS/deploy_apprunner_controltower.sh"
