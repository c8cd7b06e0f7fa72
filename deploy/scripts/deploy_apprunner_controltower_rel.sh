#!/usr/bin/env bash
# Release to App Runner: build the image (deploy/Dockerfile, build identity baked in), push it to
# ECR, then update the service by SERVICE_ARN (deploy_apprunner_controltower.sh). The image is
# tagged rel-YYYYMMDD-HHMMSS (UTC) unless RELEASE_TAG or IMAGE_TAG says otherwise.
#
#   SERVICE_ARN=arn:aws:apprunner:ap-southeast-2:123456789012:service/controltower/abc \
#     deploy_apprunner_controltower_rel.sh
#
# Environment: SERVICE_ARN (required), ECR_REPOSITORY (default: repository ECR_REPOSITORY_NAME,
# default controltower, in the service's account and region), IMAGE_TAG (default RELEASE_TAG,
# else rel-YYYYMMDD-HHMMSS), BUILD_ID / GIT_SHA / RELEASE_TAG (GIT_SHA defaults to HEAD,
# BUILD_ID and RELEASE_TAG to the tag), every exported SF_* (set on the service), AWS_REGION
# (default: the service's region), APP_URL, DRY_RUN=1 (print docker / aws commands instead).

set -euo pipefail
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
maybe_help "${1:-}"
need_vars SERVICE_ARN

# arn:aws:apprunner:<region>:<account>:service/<name>/<id>
IFS=: read -r _ _ _ arn_region arn_account _ <<<"$SERVICE_ARN"
[ -n "${AWS_REGION:-}" ] || [ -z "$arn_region" ] || export AWS_REGION="$arn_region"
if [ -z "${ECR_REPOSITORY:-}" ]; then
  if [ -z "$arn_region" ] || [ -z "$arn_account" ]; then
    die "set ECR_REPOSITORY (SERVICE_ARN is not arn:aws:apprunner:<region>:<account>:service/...)"
  fi
  ECR_REPOSITORY="$arn_account.dkr.ecr.$arn_region.amazonaws.com/${ECR_REPOSITORY_NAME:-controltower}"
fi

export GIT_SHA="${GIT_SHA:-$(git -C "$ROOT" rev-parse HEAD)}"
IMAGE_TAG="${IMAGE_TAG:-${RELEASE_TAG:-rel-$(date -u +%Y%m%d-%H%M%S)}}"
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
