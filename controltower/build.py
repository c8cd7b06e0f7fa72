"""This deployment's build identity (BUILD_ID, GIT_SHA, RELEASE_TAG), for /version, /health and
the pages' build banner."""

from django.conf import settings


def build_identity() -> dict:
    return {"build_id": settings.BUILD_ID, "git_sha": settings.GIT_SHA, "release_tag": settings.RELEASE_TAG}


def build_context(request) -> dict:
    """Template context processor: `build` on every page."""
    return {"build": build_identity()}
