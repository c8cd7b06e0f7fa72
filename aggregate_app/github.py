"""Recent CI workflow outcomes from the GitHub API (release smoke, scheduled smoke, deploy).

Needs GITHUB_REPOSITORY (owner/name) and GITHUB_TOKEN; without them, or when GitHub cannot be
reached, the answer is `not_configured` / `unreachable` with a reason: diagnostics degrade, they
never fail because of CI."""

import requests
from django.conf import settings

KINDS = ("release_smoke", "scheduled_smoke", "deploy")
PER_KIND = 5


def kind_of(run: dict) -> str | None:
    name = f"{run.get('name') or ''} {run.get('path') or ''}".lower()
    if "smoke" in name:
        if "release" in name:
            return "release_smoke"
        if "schedul" in name or run.get("event") == "schedule":
            return "scheduled_smoke"
        return (
            "release_smoke"
            if run.get("event") in ("release", "push", "workflow_dispatch")
            else "scheduled_smoke"
        )
    if "deploy" in name:
        return "deploy"
    return None


def _row(run: dict) -> dict:
    keys = ("name", "event", "status", "conclusion", "head_sha", "head_branch", "run_number", "html_url")
    return {
        **{k: run.get(k) for k in keys},
        "created_at": run.get("created_at"),
        "updated_at": run.get("updated_at"),
    }


def recent_workflows() -> dict:
    repo, token = settings.GITHUB_REPOSITORY, settings.GITHUB_TOKEN
    if not (repo and token):
        return {
            "status": "not_configured",
            "reason": "Set GITHUB_REPOSITORY (owner/name) and GITHUB_TOKEN to see CI workflow outcomes.",
        }
    url = f"{settings.GITHUB_API_URL.rstrip('/')}/repos/{repo}/actions/runs"
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    try:
        response = requests.get(
            url, params={"per_page": 50}, headers=headers, timeout=settings.CT_SOURCE_TIMEOUT_S
        )
        response.raise_for_status()
        runs = response.json().get("workflow_runs") or []
    except (requests.RequestException, ValueError, AttributeError) as exc:
        return {
            "status": "unreachable",
            "repository": repo,
            "reason": f"GitHub API: {type(exc).__name__}: {str(exc)[:160]}",
        }
    grouped: dict[str, list] = {k: [] for k in KINDS}
    for run in runs:
        kind = kind_of(run)
        if kind and len(grouped[kind]) < PER_KIND:
            grouped[kind].append(_row(run))
    latest = {k: (v[0]["conclusion"] or v[0]["status"]) if v else None for k, v in grouped.items()}
    return {"status": "ok", "repository": repo, "latest": latest, "workflows": grouped}
