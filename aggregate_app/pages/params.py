"""Every ops view's URL parameters: name, default and allowed values (prefixed by view: ov_,
inc_, tri_, cost_, gov_, policy_, diag_; `pipeline_id` focuses a pipeline in any view). A bad
value falls back to its default with a notice saying why (see Param.parse)."""

from collections.abc import Callable
from dataclasses import dataclass

from .. import sources

VIEWS = ("overview", "incidents", "triage", "costs", "governance", "policy", "diagnostics")
TEXT_MAX = 200


def source_choices() -> tuple[str, ...]:
    names = tuple(sources.names())
    return (*names, "both", "all")


@dataclass(frozen=True)
class Param:
    """`kind`: text, choice, int or float. `choices` may be a callable (the configured sources)."""

    name: str
    default: str = ""
    kind: str = "text"
    choices: tuple | Callable[[], tuple] = ()
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[tuple[str, str], ...] = ()  # (old value, the value it now means)

    def allowed(self) -> tuple:
        return self.choices() if callable(self.choices) else self.choices

    def parse(self, raw: str) -> tuple[str, str | None]:
        """(value, notice): the value to use, and why `raw` was refused (or None)."""
        raw = (raw or "").strip()
        if raw == "":
            return self.default, None
        if self.kind == "choice":
            allowed = self.allowed()
            raw = dict(self.aliases).get(raw.lower(), raw)
            if raw.lower() in allowed:
                return raw.lower(), None
            return self.default, f"Ignored {self.name}={raw[:40]!r}: choose one of {', '.join(allowed)}."
        if self.kind in ("int", "float"):
            try:
                number = int(raw) if self.kind == "int" else float(raw)
            except ValueError:
                return self.default, f"Ignored {self.name}={raw[:40]!r}: not a number."
            if (self.minimum is not None and number < self.minimum) or (
                self.maximum is not None and number > self.maximum
            ):
                return self.default, (
                    f"Ignored {self.name}={raw[:40]!r}: "
                    f"must be between {self.minimum:g} and {self.maximum:g}."
                )
            return raw, None
        return raw[:TEXT_MAX], None


def _source(prefix: str) -> Param:
    return Param(f"{prefix}_source", "both", "choice", source_choices)


CRITICALITY = ("critical", "high", "medium", "low")
REGISTER_STATUSES = ("proposed", "approved", "rejected", "expired")
# A value that moved to another parameter: old links (`policy_exception=proposed`, the exception
# register's status before `policy_exception` meant all|exception) keep working.
MOVED = {"policy_exception": ("policy_register", REGISTER_STATUSES)}
PARAMS: dict[str, tuple[Param, ...]] = {
    "overview": (
        _source("ov"),
        Param("ov_search"),
        Param("ov_team"),
        Param("ov_domain"),
        Param("ov_criticality", kind="choice", choices=CRITICALITY),
        Param("ov_status", kind="choice", choices=("success", "failed", "running", "aborted")),
        Param(
            "ov_sort",
            "pipeline_id",
            "choice",
            (
                "pipeline_id",
                "pipeline_name",
                "team",
                "domain",
                "criticality",
                "runs_7d",
                "failures_7d",
                "last_status",
                "last_end_ts",
            ),
        ),
        Param("ov_dir", "asc", "choice", ("asc", "desc")),
        Param("ov_page", "1", "int", minimum=1, maximum=10_000),
        Param("ov_sla_page", "1", "int", minimum=1, maximum=10_000),
        Param("ov_stale_page", "1", "int", minimum=1, maximum=10_000),
    ),
    "incidents": (
        _source("inc"),
        Param("inc_hours", "24", "int", minimum=1, maximum=720),
        Param("inc_severity", kind="choice", choices=("sev1", "sev2", "sev3", "sev4")),
        Param("inc_kind", kind="choice", choices=("run_failed", "sla_breach", "dq_assertion_failed")),
        Param("inc_team"),
        Param("inc_domain"),
        Param("inc_page", "1", "int", minimum=1, maximum=10_000),
        Param("incident"),
    ),
    "triage": (
        _source("tri"),
        Param("tri_search"),
        Param("tri_team"),
        Param("tri_domain"),
        Param("tri_criticality", kind="choice", choices=CRITICALITY),
        Param("tri_status", kind="choice", choices=("configured", "missing", "invalid_format")),
        Param("tri_page", "1", "int", minimum=1, maximum=10_000),
        # the triage query form (run when tri_run=1)
        Param("tri_run", kind="choice", choices=("1",)),
        Param("tri_q_source", "both", "choice", source_choices),
        Param("tri_q_pipeline_id"),
        Param("tri_q_run_id"),
        Param("tri_q_error_code"),
        Param("tri_q_error_message", ""),
        Param("tri_q_prompt"),
        Param("tri_q_mode", "deterministic", "choice", ("deterministic", "assisted")),
        Param("tri_q_days", "7", "int", minimum=1, maximum=90),
    ),
    "costs": (
        _source("cost"),
        Param("cost_days", "30", "int", minimum=7, maximum=365),
        Param("cost_team"),
        Param("cost_domain"),
        Param("cost_band", kind="choice", choices=("high", "medium", "low")),
        Param("cost_mode", "anomaly_only", "choice", ("anomaly_only", "all")),
        Param("cost_min_ratio", kind="float", minimum=0, maximum=1_000_000),
        Param("cost_page", "1", "int", minimum=1, maximum=10_000),
        Param("cost_investigate"),
        Param("cost_inv_source", kind="choice", choices=lambda: tuple(sources.names())),
    ),
    "governance": (
        _source("gov"),
        Param("gov_days", "7", "int", minimum=1, maximum=90),
        Param(
            "gov_drilldown",
            "runbook_coverage",
            "choice",
            ("runbook_coverage", "critical_runbook_gaps", "sla_pressure", "cost_anomalies", "dq_mismatches"),
        ),
        Param("gov_team"),
        Param("gov_page", "1", "int", minimum=1, maximum=10_000),
    ),
    "policy": (
        _source("policy"),
        Param("policy_profile", kind="choice", choices=("strict", "balanced", "relaxed")),
        Param("policy_days", kind="int", minimum=1, maximum=365),  # the audit history's window
        Param(
            "policy_mismatch",
            "all",
            "choice",
            ("all", "mismatch", "aligned"),
            aliases=(("true", "mismatch"), ("false", "aligned")),
        ),
        Param("policy_exception", "all", "choice", ("all", "exception")),
        Param("policy_register", kind="choice", choices=REGISTER_STATUSES),
        Param(
            "policy_exception_state",
            kind="choice",
            choices=("none", "approved", "unmanaged", "expired", "rejected"),
        ),
        Param("policy_team"),
        Param(
            "policy_audit_action",
            kind="choice",
            choices=(
                "assign",
                "update",
                "remove",
                "exception_propose",
                "exception_approve",
                "exception_reject",
                "exception_expire",
            ),
        ),
        Param("policy_audit_scope", kind="choice", choices=("pipeline", "team", "domain")),
        Param("policy_audit_target"),
        Param("policy_page", "1", "int", minimum=1, maximum=10_000),
    ),
    "diagnostics": (_source("diag"),),
}
GLOBAL = (Param("pipeline_id"),)
