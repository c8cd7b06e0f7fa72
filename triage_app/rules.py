"""The deterministic engine (deterministic_rules_v1): an error signal -> the first matching rule.

A signal is the error code, the message, and the systems it came from (the pipeline's platform
plus systems recognised in the text). Codes embedded in messages (Snowflake `002003 (42S02)`,
ADF `ErrorCode=...`, Spark `[ERROR_CLASS]`, `airflow.exceptions.X`) count as codes too, so a run
recorded without an error_code still matches code patterns."""

import re
from dataclasses import dataclass, field

from .choices import RuleCategory, SourceSystem
from .models import TriageRule

SYSTEM_SIGNATURES = {
    SourceSystem.SNOWFLAKE: (
        r"snowflake|\b\d{6} \([0-9A-Z]{5}\)|SQL (compilation|execution|access control) error|"
        r"resource monitor|warehouse '"
    ),
    SourceSystem.SPARK: (
        r"org\.apache\.spark|SparkException|pyspark|Py4JJavaError|AnalysisException|"
        r"ExecutorLostFailure|\[[A-Z][A-Z_]{5,}(\.[A-Z_]+)?\]|s3a://"
    ),
    SourceSystem.DBT: (
        r"\bdbt\b|(Database|Compilation|Runtime) Error in (model|test|snapshot|seed)|"
        r"Failure in test|freshness of "
    ),
    SourceSystem.AIRFLOW: r"airflow|Negsignal|Sensor has timed out|upstream_failed",
    SourceSystem.ADF: (
        r"ErrorCode=|Microsoft\.DataTransfer|Data Factory|Operation on target|integration runtime"
    ),
    SourceSystem.GLUE: r"AWS Glue|GlueException|glue job",
    SourceSystem.DATABRICKS: r"databricks",
}
EMBEDDED_CODES = (
    r"\b(\d{6}) \([0-9A-Z]{5}\)",  # Snowflake: 002003 (42S02)
    r"ErrorCode=(\w+)",  # Azure Data Factory
    r"\[([A-Z][A-Z_]{5,})(?:\.[A-Z_]+)?\]",  # Spark error classes: [UNRESOLVED_COLUMN.WITH_SUGGESTION]
    r"airflow\.exceptions\.(\w+)",  # Airflow
    r"\(([A-Za-z]+Exception)\) when calling",  # botocore ClientError
)
NO_SIGNAL_CAUSE = {
    "SUCCESS": "The run succeeded: there is no failure to explain.",
    "RUNNING": "The run is still running: there is no failure to explain yet.",
}


@dataclass(frozen=True)
class Signal:
    error_code: str = ""
    error_message: str = ""
    platform: str = ""
    systems: frozenset[str] = frozenset()
    codes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.error_code or self.error_message)


@dataclass
class Match:
    """What the engine concluded: the rule (None when there was no error to match) and why."""

    rule: TriageRule | None
    category: str
    likely_cause: str
    next_actions: list[str]
    runbook_hints: list[str]
    base_confidence: float
    matched_on: list[str] = field(default_factory=list)  # error_code, error_code_in_message, error_message
    system_specific: bool = False

    @property
    def rule_name(self) -> str | None:
        return self.rule.name if self.rule else None


def build_signal(error_code: str | None, error_message: str | None, platform: str | None) -> Signal:
    code, message = (error_code or "").strip(), (error_message or "").strip()
    platform = (platform or "").strip().lower()
    systems = {s for s, rx in SYSTEM_SIGNATURES.items() if re.search(rx, f"{code}\n{message}", re.I)}
    if platform in SourceSystem.values:
        systems.add(platform)
    embedded = [m.group(1) for rx in EMBEDDED_CODES for m in re.finditer(rx, message)]
    codes = tuple(dict.fromkeys(c for c in [code, *embedded] if c))
    return Signal(code, message, platform, frozenset(str(s) for s in systems), codes)


def evaluate_rule(rule: TriageRule, signal: Signal) -> list[str] | None:
    """Why `rule` matches `signal` (a non-empty list of what matched), or None."""
    if rule.source_systems and not set(rule.source_systems) & signal.systems:
        return None
    if rule.is_catch_all:
        return []
    matched = []
    if rule.error_code_pattern:
        hit = next((c for c in signal.codes if re.search(rule.error_code_pattern, c, re.I)), None)
        if hit is not None:
            matched.append("error_code" if hit == signal.error_code else "error_code_in_message")
    if (
        rule.message_regex
        and signal.error_message
        and re.search(rule.message_regex, signal.error_message, re.I)
    ):
        matched.append("error_message")
    return matched or None


def _from_rule(rule: TriageRule, matched_on: list[str]) -> Match:
    return Match(
        rule=rule,
        category=rule.category,
        likely_cause=rule.likely_cause,
        next_actions=list(rule.next_actions),
        runbook_hints=list(rule.runbook_hints),
        base_confidence=rule.base_confidence,
        matched_on=matched_on,
        system_specific=bool(rule.source_systems),
    )


def no_signal(status: str | None) -> Match:
    """No error code or message: nothing for the rules to read."""
    cause = NO_SIGNAL_CAUSE.get((status or "").upper())
    return Match(
        rule=None,
        category="no_error" if cause else RuleCategory.UNKNOWN,
        likely_cause=cause or "The run failed without an error code or message; the cause is not recorded.",
        next_actions=[]
        if cause
        else ["Read the orchestrator's task log for this run; record error codes at source."],
        runbook_hints=[],
        base_confidence=0.9 if cause else 0.1,
    )


def unmatched() -> Match:
    """No enabled rule matched (the shipped catch-all was disabled or deleted)."""
    return Match(
        rule=None,
        category=RuleCategory.UNKNOWN,
        likely_cause="No enabled triage rule matched this error.",
        next_actions=["Read the full job log; add or enable a triage rule once the cause is known."],
        runbook_hints=[],
        base_confidence=0.1,
    )


def evaluate(signal: Signal, status: str | None = None, rules=None) -> Match:
    """The first enabled rule (in order) that matches; `no_signal` when there is nothing to match."""
    if signal.empty:
        return no_signal(status)
    for rule in (
        rules if rules is not None else TriageRule.objects.filter(enabled=True).order_by("order", "name")
    ):
        matched_on = evaluate_rule(rule, signal)
        if matched_on is not None:
            return _from_rule(rule, matched_on)
    return unmatched()
