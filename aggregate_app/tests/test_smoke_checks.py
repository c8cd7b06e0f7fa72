"""The contract building blocks on answers built in the test (no server needed)."""

import json

from aggregate_app.smoke.checks import meta_problems, summary_contract
from aggregate_app.smoke.results import FAIL, PASS, CheckFailed, ContractReport
from aggregate_app.smoke.runner import run_check, run_contract
from aggregate_app.smoke.truth import banner_identity, write_artifact_index

SUMMARY = {
    "stale_datasets": 2,
    "top_impacted_downstream_assets": [],
    "cost_24h_aud": 1.5,
    "cost_7d_aud": 10,
    "cost_7d_daily_avg_aud": 1.43,
}


def failure(fn) -> str:
    result = run_check("x", fn)
    assert result.status == FAIL
    return result.reason


def test_summary_contract_accepts_the_documented_fields():
    assert summary_contract(SUMMARY, "/api/summary").startswith("stale_datasets=2, 0 impacted assets")


def test_summary_contract_names_every_broken_field():
    bad = {**SUMMARY, "stale_datasets": -1, "top_impacted_downstream_assets": None, "cost_7d_aud": "12"}
    assert failure(lambda: summary_contract(bad, "/api/summary")) == (
        "/api/summary: stale_datasets=-1 (want a number >= 0); "
        "top_impacted_downstream_assets is not an array; cost_7d_aud='12' (want a number >= 0)"
    )


def test_booleans_are_not_counts():
    flagged = {**SUMMARY, "stale_datasets": True}
    assert "stale_datasets=True" in failure(lambda: summary_contract(flagged, "s"))


def test_meta_problems_name_the_degraded_source():
    body = {
        "_meta": {
            "sources": {
                "aws": {"ok": True, "status": 200, "error": None},
                "azure": {"ok": False, "status": None, "error": "unreachable"},
            }
        }
    }
    assert meta_problems(body, ["aws"]) == []
    assert meta_problems(body, None) == ["source azure degraded: unreachable"]
    assert meta_problems({"items": []}, None) == ["aggregate response has no _meta"]
    assert meta_problems({"_meta": {"sources": {}}}, ["gcp"]) == ["source gcp missing from _meta"]


def test_a_check_that_crashes_fails_instead_of_stopping_the_contract():
    def boom():
        raise KeyError("items")

    def fine():
        return "ok then"

    report = run_contract("api", "http://x", [("boom", boom), ("fine", fine)])
    assert [(c.name, c.status, c.reason) for c in report.checks] == [
        ("boom", FAIL, "unexpected KeyError: 'items'"),
        ("fine", PASS, "ok then"),
    ]
    assert not report.passed and report.summary() == "FAIL api smoke on http://x: 1/2 checks passed"


def test_an_empty_contract_does_not_pass():
    assert not ContractReport("api", "http://x").passed


def test_banner_identity_reads_the_data_attributes():
    html = '<div class="build" data-build-id="b1" data-git-sha="abc" data-release-tag="v1">b1</div>'
    assert banner_identity(html) == {"build_id": "b1", "git_sha": "abc", "release_tag": "v1"}
    assert banner_identity("<p>no banner</p>") == {}


def test_artifact_index_lists_the_artifacts_with_their_digest(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "api.log").write_text("hello\n")
    report = run_contract("truth", "t", [("ok", lambda: "fine")])

    def fail():
        raise CheckFailed("nope")

    write_artifact_index(tmp_path, report, {"build_id": "b1", "git_sha": "s", "release_tag": "r"})
    write_artifact_index(tmp_path, run_contract("truth", "t", [("bad", fail)]), {"build_id": "b2"})
    index = json.loads((tmp_path / "index.json").read_text())
    assert index["expected_build"] == {"build_id": "b2", "git_sha": "", "release_tag": ""}
    assert index["truth"]["checks"][0]["reason"] == "nope"
    assert index["artifacts"] == [
        {
            "path": "logs/api.log",
            "bytes": 6,
            "sha256": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
        }
    ]
