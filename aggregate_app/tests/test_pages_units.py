"""The ops pages' plain parts: URL state, the chart's geometry, the action panel's texts, banners."""

import re

import pytest
from django.http import QueryDict

from aggregate_app.pages import action, banners, chart, state
from aggregate_app.pages.gateway import Result, internal_request


@pytest.fixture
def two_sources(settings):
    settings.CT_SOURCES = "aws=http://aws.example,azure=http://azure.example"


def test_state_round_trips_through_the_url(two_sources):
    query = "view=governance&gov_source=both&gov_days=7&gov_drilldown=sla_pressure&gov_team=ore"
    parsed = state.parse(QueryDict(query))
    assert parsed.view == "governance" and parsed["gov_drilldown"] == "sla_pressure"
    assert parsed.notices == []
    # defaults (both, 7 days) are left out of links; the rest survives
    assert parsed.url() == "?view=governance&gov_drilldown=sla_pressure&gov_team=ore"
    assert state.parse(QueryDict(parsed.url()[1:])).values == parsed.values


def test_changes_replace_or_drop_parameters(two_sources):
    parsed = state.parse(QueryDict("view=overview&ov_team=ore&ov_page=3"))
    assert parsed.url(ov_sort="runs_7d", ov_page=None) == "?view=overview&ov_team=ore&ov_sort=runs_7d"
    assert state.goto("policy", policy_team="ore", policy_source="aws") == (
        "?view=policy&policy_source=aws&policy_team=ore"
    )


@pytest.mark.parametrize(
    "query, notice",
    [
        ("view=nowhere", "There is no view 'nowhere': showing the overview."),
        ("view=costs&cost_days=abc", "Ignored cost_days='abc': not a number."),
        ("view=costs&cost_days=3", "Ignored cost_days='3': must be between 7 and 365."),
        (
            "view=policy&policy_source=gcp",
            "Ignored policy_source='gcp': choose one of aws, azure, both, all.",
        ),
    ],
)
def test_bad_values_fall_back_to_defaults_with_a_notice(two_sources, query, notice):
    parsed = state.parse(QueryDict(query))
    assert parsed.notices == [notice]
    assert all(parsed[p.name] == p.default for p in parsed.params() if p.name != "pipeline_id")


def test_nice_steps_are_round():
    assert [chart.nice_step(s) for s in (9, 95, 1200, 0.3)] == [2.5, 25, 500, 0.1]


def test_the_chart_maps_values_to_the_plot_area():
    def point(day: str, aws: float, azure: float) -> dict:
        by_source = {"aws": {"cost_aud": aws}, "azure": {"cost_aud": azure}}
        return {"date": day, "cost_aud": aws + azure, "by_source": by_source}

    points = [point("2026-11-01", 0.0, 0.0), point("2026-11-02", 60.0, 40.0)]
    drawn = chart.trend_chart(points, "cost", today="2026-11-02")
    plot = drawn.plot
    total = drawn.lines[0]
    bottom, top = plot["y"] + plot["h"], plot["y"]
    assert total.d == f"M{plot['x']:.1f},{bottom:.1f} L{plot['x'] + plot['w']:.1f},{top:.1f}"
    assert [line.name for line in drawn.lines] == ["total", "aws", "azure"]
    assert drawn.y_ticks[-1]["label"] == "A$100" and drawn.peak["label"] == "A$100"  # one currency label
    assert drawn.partial_last is True
    assert chart.trend_chart([], "nothing") is None


ANSWER = {
    "summary": "Run r1 failed.",
    "likely_cause": "A timeout.",
    "next_actions": ["Look at the query.", "Retry."],
    "runbook_references": [{"title": "RB", "url": "https://rb.example/p1"}],
    "mode": "deterministic_rules_v1",
    "requested_mode": "deterministic",
    "confidence": 0.5,
    "impact_summary": {"nodes_count": 2, "edges_count": 1},
    "impacted_consumers": [{"id": "d1", "name": "Dash", "kind": "dashboard", "criticality": "high"}],
    "facts_used": [
        {"field": "a", "value": 1, "source": "telemetry:X"},
        {"field": "b", "value": 2, "source": "gov"},
    ],
    "traceability": {"evidence_links": [{"rel": "runs", "href": "/api/pipelines/p1/runs?limit=5"}]},
    "evidence": {"source": {"served_by": "aws"}},
}
INCIDENT = {"incident_id": "run:r1", "pipeline_id": "p1", "pipeline_name": "orders", "severity": "sev2",
            "kind": "run_failed", "team": "sales"}  # fmt: skip


def test_the_markdown_summary_is_pasteable():
    panel = action.panel(ANSWER, origin="explain_run", source="aws", incident=INCIDENT)
    assert panel["markdown"] == "\n".join(
        [
            "### Incident run:r1 — orders (p1, aws)",
            "**Severity:** sev2 · **Kind:** run\\_failed · **Team:** sales",
            "",
            "**Summary:** Run r1 failed.",
            "",
            "**Likely cause:** A timeout.",
            "",
            "**Impact:** 2 nodes, 1 edges, 1 impacted consumers",
            "- Dash (dashboard, high)",
            "",
            "**Next actions**",
            "1. Look at the query.",
            "2. Retry.",
            "",
            "**Runbook:** [RB](https://rb.example/p1)",
            "**Mode:** `deterministic_rules_v1` (requested `deterministic`) · confidence 0.50",
        ]
    )
    assert panel["text"].splitlines()[0] == "Incident run:r1 — orders (p1, aws)"
    assert "Runbook: https://rb.example/p1" in panel["text"]


TRACED = {
    **ANSWER,
    "traceability": {
        "telemetry_facts": [
            {"id": "T1", "field": "run.status", "value": "FAILED", "source": "telemetry:RUNS"}
        ],
        "runbook_facts": [
            {"id": "R1", "field": "runbook.status", "value": "missing", "source": "telemetry:P"}
        ],
        "impact_facts": [{"id": "I1", "field": "impact.nodes_count", "value": 3, "source": "telemetry:L"}],
        "cost_facts": [{"id": "C1", "field": "cost.cost_24h_aud", "value": 9.5, "source": "telemetry:C"}],
        "evidence_links": [
            {"rel": "pipeline_runs", "href": "/api/pipelines/p1/runs", "fact_ids": ["T1"]},
            {"rel": "impact", "href": "/api/pipelines/p1/impact", "fact_ids": ["I1"]},
            {"rel": "runbooks", "href": "/api/runbooks?search=p1", "fact_ids": ["R1"]},
            {"rel": "cost", "href": "/api/pipelines/p1/cost?days=7", "fact_ids": ["C1"]},
        ],
    },
}


def test_traceability_groups_facts_as_telemetry_runbook_impact_and_cost(two_sources):
    panel = action.panel(TRACED, origin="explain_run", source="both", incident=INCIDENT)
    groups = {g["kind"]: g for g in panel["traceability"]}
    assert list(groups) == ["telemetry", "runbook", "impact", "cost"]
    assert [f["id"] for g in groups.values() for f in g["facts"]] == ["T1", "R1", "I1", "C1"]
    # each link opens the page that shows it to a person; its raw JSON is the control tier's mirror
    (runs,) = groups["telemetry"]["links"]
    assert runs["page"] == "?view=overview&ov_source=aws&pipeline_id=p1#focus-title"
    assert runs["href"] == "/api/aggregate/pipelines/p1/runs?source=aws"
    assert groups["runbook"]["links"][0]["page"] == "?view=triage&tri_source=aws&tri_search=p1#catalog-title"
    assert groups["cost"]["links"][0]["page"] == (
        "?view=costs&cost_source=aws&cost_mode=all&cost_investigate=p1&cost_inv_source=aws"
    )
    (impact,) = groups["impact"]["links"]
    assert impact["page"] is None and impact["href"] == "/api/aggregate/pipelines/p1/impact?source=aws"


def test_an_answer_without_fact_groups_is_grouped_by_its_fact_ids(two_sources):
    used = [
        {"id": "C1", "field": "cost.x", "value": 1, "source": "s"},
        {"id": "T1", "field": "run.x", "value": 2},
    ]
    answer = {**ANSWER, "facts_used": used}
    groups = action.panel(answer, origin="explain_run", source="aws")["traceability"]
    assert {g["kind"]: [f["id"] for f in g["facts"]] for g in groups} == {
        "telemetry": ["T1"], "runbook": [], "impact": [], "cost": ["C1"]
    }  # fmt: skip
    assert action.panel(answer, origin="explain_run", source="aws")["uncited_links"][0]["page"] == (
        "?view=overview&ov_source=aws&pipeline_id=p1#focus-title"
    )


def test_assisted_answers_served_deterministically_are_flagged():
    answer = {**ANSWER, "requested_mode": "assisted"}
    assert action.panel(answer, origin="triage_query", source="aws")["mode_fell_back"] is True


def test_banners_name_each_failed_source(two_sources):
    meta = {
        "sources": {
            "aws": {"ok": True, "error": None, "reason": None},
            "azure": {"ok": False, "error": "timeout", "reason": "no answer within 10s"},
        },
        "aws_ok": True,
        "azure_ok": False,
        "capabilities": [
            {"endpoint": "/api/x", "source": "azure", "status": "degraded", "reason": "no answer within 10s"},
            {"endpoint": "/api/y", "source": "aws", "status": "not_found", "reason": "no such run"},
        ],
    }
    out = banners.banners([Result("/a", 200, {"_meta": meta}), Result("/b", 200, {"_meta": meta})])
    assert out["sources_down"] == [
        {"source": "azure", "asked": True, "ok": False, "problems": ["timed out: no answer within 10s"]}
    ]
    assert out["sources_up"] == ["aws"]
    assert [c["endpoint"] for c in out["capabilities"]] == ["/api/x"]  # not_found is not a degradation
    assert out["capabilities_degraded"] is True


HOSTILE_RUNBOOKS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "data:text/html,<b>x</b>",
    "/relative",
]


@pytest.mark.parametrize("url", HOSTILE_RUNBOOKS)
def test_a_runbook_url_that_is_not_http_is_never_a_link(url):
    answer = {**ANSWER, "runbook_references": [{"title": "RB", "url": url, "status": "invalid_format"}]}
    panel = action.panel(
        answer, origin="explain_run", source="aws", incident={**INCIDENT, "runbook_url": url}
    )
    assert panel["runbook"]["url"] is None and panel["runbook"]["status"] == "invalid_format"
    assert (
        url not in panel["markdown"]
        and "**Runbook:** _invalid link (not an http(s) URL)_" in panel["markdown"]
    )


def test_producer_text_cannot_add_markdown_to_the_ticket():
    hostile = {
        **INCIDENT,
        "team": "ore\n# Owned [click me](http://evil.example) ![x](http://evil.example/p.png)",
    }
    answer = {**ANSWER, "likely_cause": "see [here](http://evil.example)\n\n- injected item"}
    markdown = action.panel(answer, origin="explain_run", source="aws", incident=hostile)["markdown"]
    severity = next(line for line in markdown.splitlines() if line.startswith("**Severity:**"))
    assert r"# Owned \[click me\](http://evil.example) !\[x\]" in severity  # one line, inert
    assert not any(line.startswith(("#", "- injected")) for line in markdown.splitlines()[1:])
    assert not re.search(r"(?<!\\)\]\(http://evil", markdown)  # no unescaped link or image


def test_an_internal_request_is_what_the_view_would_get_over_http():
    user = object()
    get = internal_request("GET", "/api/aggregate/pipelines/é-1/runs", "source=aws&status=A&status=B", user)
    assert get.method == "GET" and get.path == "/api/aggregate/pipelines/é-1/runs"
    assert get.user is user and get.body == b""
    assert get.GET.getlist("status") == ["A", "B"] and get.GET["source"] == "aws"
    assert get.META["REMOTE_ADDR"] == "127.0.0.1" and get.COOKIES == {} and not get.is_secure()
    post = internal_request("POST", "/api/aggregate/triage/query", "", user, b'{"question": "why"}')
    assert post.method == "POST" and post.content_type == "application/json"
    assert post.META["CONTENT_LENGTH"] == "19" and post.read() == b'{"question": "why"}'


def test_a_capability_banner_says_which_capability_and_why():
    github = {
        "endpoint": "github:actions/runs",
        "source": "github",
        "status": "not_configured",
        "reason": "Set GITHUB_REPOSITORY (owner/name) and GITHUB_TOKEN to see CI workflow outcomes.",
    }
    assert banners.capability_line(github) == (
        "GitHub CI not configured: set GITHUB_REPOSITORY (owner/name) and GITHUB_TOKEN to see CI workflow "
        "outcomes."
    )
    dq = {"endpoint": "/api/dq/standards", "source": "azure", "status": "unsupported", "reason": ""}
    assert banners.capability_line(dq) == "Data-quality standards on azure not offered"


def test_missing_values_read_as_a_dash_and_names_wrap_at_separators():
    from aggregate_app.templatetags import ops

    assert [ops.dash(v) for v in (None, "", "sales", 0)] == ["—", "—", "sales", 0]
    assert [ops.plain(None), ops.num(None), ops.aud(None), ops.ts(None)] == ["—"] * 4
    assert ops.wrap("duplicate_key") == "duplicate_<wbr>key"  # a break after `_`, never inside a word
    assert ops.wrap("a<b>.c") == "a&lt;b&gt;.<wbr>c" and ops.wrap(None) == "—"


@pytest.mark.parametrize(
    ("message", "code", "shown"),
    [
        ("002003 (42S02): SQL compilation error: Object 'X' does not exist", "002003",
         "(42S02): SQL compilation error: Object 'X' does not exist"),
        ("Statement reached its timeout", "SF_TIMEOUT", "Statement reached its timeout"),
        (None, "E1", ""),
    ],
)  # fmt: skip
def test_an_error_code_is_shown_once(message, code, shown):
    from aggregate_app.templatetags import ops

    assert ops.without_code(message, code) == shown


def test_the_text_summary_shows_a_missing_team_as_a_dash():
    panel = action.panel(ANSWER, origin="explain_run", source="aws", incident={**INCIDENT, "team": None})
    assert "team: —" in panel["text"] and "None" not in panel["text"]
    assert "**Team:** —" in panel["markdown"]


def test_the_last_complete_day_is_the_day_before_today(time_machine):
    from aggregate_app.pages.overview import last_complete_day

    time_machine.move_to("2026-11-21T08:00:00Z")
    series = [
        {"date": "2026-11-20", "cost_aud": 90.0, "by_source": {"aws": {"cost_aud": 90.0}}},
        {"date": "2026-11-21", "cost_aud": 5.0, "by_source": {"aws": {"cost_aud": 5.0}}},
    ]
    card = last_complete_day(Result("/t", 200, {"series": series}))
    assert (card["label"], card["value"], card["detail"]) == ("Last complete day (UTC)", 90.0, "2026-11-20")
    assert last_complete_day(Result("/t", 503, {}))["value"] is None
