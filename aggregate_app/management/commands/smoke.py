"""`manage.py smoke api|ui|truth`: run a smoke contract against a deployed tier over HTTP.

    manage.py smoke api --url https://api.example.com --token T --json api.json
    manage.py smoke ui --url https://tower.example.com --token T
    manage.py smoke truth --api-url … --ui-url … --expect-build-id B --artifacts var/smoke

One line per check (PASS/FAIL and the reason), a summary line, exit status 0 when every check
passed and 1 otherwise."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aggregate_app.smoke import SmokeOptions, run_api, run_truth, run_ui, write_artifact_index


def flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


class Command(BaseCommand):
    help = "Run the API, UI or truth smoke contract against a deployed Control Tower tier."

    def add_arguments(self, parser):
        parser.add_argument("contract", choices=("api", "ui", "truth"))
        parser.add_argument("--url", help="Base URL of the tier (api: a source API; ui: the control tier).")
        parser.add_argument("--api-url", help="truth: the source API's base URL.")
        parser.add_argument("--ui-url", help="truth: the control tier's base URL.")
        parser.add_argument("--token", help="API token (default: SMOKE_TOKEN).")
        parser.add_argument("--json", dest="json_file", help="Also write the report as JSON to this file.")
        parser.add_argument("--pipeline-id", help="Pipeline for per-pipeline checks (SEMANTIC_PIPELINE_ID).")
        parser.add_argument("--runs7d-gt", type=int, help="aws.runs_7d must exceed this (ASSERT_RUNS7D_GT).")
        parser.add_argument("--impact-required", type=flag, help="1/0 (IMPACT_REQUIRED).")
        parser.add_argument("--timeout", type=float, help="Seconds per request (SMOKE_TIMEOUT_S).")
        parser.add_argument("--expect-build-id", default=settings.BUILD_ID, help="truth: default BUILD_ID.")
        parser.add_argument("--expect-git-sha", default=settings.GIT_SHA, help="truth: default GIT_SHA.")
        parser.add_argument("--expect-release-tag", default=settings.RELEASE_TAG, help="truth: RELEASE_TAG.")
        parser.add_argument("--page", default="/", help="truth: the UI page carrying the build banner.")
        parser.add_argument("--artifacts", help="truth: folder to index (default SMOKE_ARTIFACT_DIR).")

    def handle(self, contract, **o):
        opts = SmokeOptions.from_settings(
            token=o["token"],
            timeout_s=o["timeout"],
            pipeline_id=o["pipeline_id"],
            runs7d_gt=o["runs7d_gt"],
            impact_required=o["impact_required"],
        )
        if contract == "truth":
            report = self.truth(opts, o)
        else:
            url = o["url"] or (settings.SMOKE_API_URL if contract == "api" else settings.SMOKE_UI_URL)
            if not url:
                raise CommandError(f"smoke {contract} needs --url (or SMOKE_{contract.upper()}_URL).")
            report = (run_api if contract == "api" else run_ui)(url, opts)
        for check in report.checks:
            self.stdout.write(check.line())
        self.stdout.write(report.summary())
        if o["json_file"]:
            path = Path(o["json_file"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
        if not report.passed:
            names = ", ".join(c.name for c in report.failed)
            raise CommandError(f"{contract} smoke failed: {names}", returncode=1)

    def truth(self, opts: SmokeOptions, o: dict):
        if not (o["api_url"] and o["ui_url"]):
            raise CommandError("smoke truth needs --api-url and --ui-url.")
        expected = {
            "build_id": o["expect_build_id"],
            "git_sha": o["expect_git_sha"],
            "release_tag": o["expect_release_tag"],
        }
        report = run_truth(o["api_url"], o["ui_url"], expected, opts, page=o["page"])
        index = write_artifact_index(Path(o["artifacts"] or settings.SMOKE_ARTIFACT_DIR), report, expected)
        self.stdout.write(f"artifact index: {index}")
        return report
