"""Evaluation against the two demo sources over HTTP: what they report becomes incidents, and
symptoms downstream of a failed pipeline (its own /impact), and its own SLA breach, are grouped
under it."""

import pytest
import requests

from alerting_app import collect
from alerting_app.choices import Kind
from alerting_app.evaluation import evaluate
from alerting_app.models import AlertIncident

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def listed(estate, server, path: str, **params) -> list[dict]:
    headers = {"Authorization": f"Token {estate.token}"}
    answer = requests.get(f"{server.url}{path}", params={"limit": 500, **params}, headers=headers, timeout=30)
    answer.raise_for_status()
    return answer.json()["items"]


def test_the_demo_sources_failures_become_incidents_grouped_by_lineage(demo_sources):
    seen = collect.observe()
    counts = evaluate(seen, collect.downstream)
    estate = demo_sources
    for name, server in (("aws", estate.aws), ("azure", estate.azure)):
        failing = {p["pipeline_id"] for p in listed(estate, server, "/api/pipelines", status="FAILED")}
        stale = {d["dataset_id"] for d in listed(estate, server, "/api/datasets/stale")}
        mine = AlertIncident.objects.filter(source=name)
        assert set(mine.filter(kind=Kind.FAILED_RUN).values_list("subject", flat=True)) == failing
        assert set(mine.filter(kind=Kind.STALE_DATASET).values_list("subject", flat=True)) == stale
        assert (name, Kind.FAILED_RUN) in seen.complete
    assert counts["opened"] == AlertIncident.objects.count() > 0
    assert counts["grouped"] > 0  # the demo's injected failures hit lineage downstream of them
    for member in AlertIncident.objects.filter(root__isnull=False).select_related("root"):
        if member.kind == Kind.SLA_BREACH and member.subject == member.root.pipeline_id:
            continue  # a pipeline's SLA breach joins its own failure
        assert member.subject in collect.downstream(member.root.source, member.root.pipeline_id)
