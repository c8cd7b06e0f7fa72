"""Incidents: FAILED runs in a window and pipelines in SLA breach, with a severity.

Severity combines the pipeline's criticality with downstream consumer impact: the dashboards,
reports and ML models its impact view lists (impact.consumers_reached, the same walk), which is
also the incident's `impacted_consumers`; `impact_truncated_reason` says when that walk stopped
at its depth or node cap with lineage left unwalked (the count is then a lower bound):

    criticality   consumers hit   no consumer hit
    critical      sev1            sev2
    high          sev2            sev3
    medium        sev3            sev4
    low / none    sev4            sev4

A `run_failed` incident is a FAILED run that ended in the window (`detected_ts` = end, or start
without one). An `sla_breach` incident is an active pipeline whose SLA status is `breached`
(sla.py): an ongoing freshness breach is listed whatever its start (`detected_ts` = when the
freshness SLA ran out); a breach-ratio breach when its latest breaching run ended in the window.
A `dq_assertion_failed` incident is a run that completed (SUCCESS) while data-quality assertions
of its datasets failed (OpenLineage `dataQualityAssertions`, e.g. dbt tests), reported in the window
(`detected_ts` = the latest such report); `reasons` names each failed assertion.
An SLA breach's `sla` holds the numbers behind its reasons, as the pipeline's SLA answer gives them
(null on the other kinds).
"""

from collections import Counter
from datetime import date, datetime, timedelta

from . import impact, sla
from . import queries as q

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
DEFAULT_HOURS = 24
DAILY_HOURS = 24 * 7
MAX_HOURS = 24 * 30
KINDS = ("run_failed", "sla_breach", "dq_assertion_failed")
MAX_REASONS = 20
ALL = 1_000_000_000  # `sla_breaches`' :limit when a page may show any SLA breach

_SEVERITY = {("critical", True): "sev1", ("critical", False): "sev2", ("high", True): "sev2"}
_SEVERITY |= {("high", False): "sev3", ("medium", True): "sev3"}


def severity(criticality: str | None, consumers_hit: int) -> str:
    return _SEVERITY.get((criticality, consumers_hit > 0), "sev4")


def _failed_run(row: dict) -> dict:
    return {
        "incident_id": f"run:{row['run_id']}",
        "kind": "run_failed",
        "detected_ts": q.aware(row["detected_ts"]),
        "run_id": row["run_id"],
        "started_ts": q.aware(row["start_ts"]),
        "ended_ts": q.aware(row["end_ts"]),
        "attempt": None if row["attempt"] is None else int(row["attempt"]),
        "error_code": row["error_code"],
        "error_message": row["error_message"],
        "reasons": [],
        "sla": None,
        **{
            k: row[k]
            for k in ("pipeline_id", "pipeline_name", "team", "domain", "owner", "criticality", "runbook_url")
        },
    }


def _sla_breach(row: dict) -> dict:
    ongoing = "freshness_breached" in row["reasons"]
    return {
        "incident_id": f"sla:{row['pipeline_id']}",
        "kind": "sla_breach",
        "detected_ts": (row["freshness_breach_ts"] if ongoing else row["last_breached_run_ts"])
        or row["evaluated_at"],
        "run_id": None,
        "started_ts": None,
        "ended_ts": None,
        "attempt": None,
        "error_code": None,
        "error_message": None,
        "reasons": row["reasons"],
        "sla": _breach_numbers(row),
        **{
            k: row[k]
            for k in ("pipeline_id", "pipeline_name", "team", "domain", "owner", "criticality", "runbook_url")
        },
    }


def _assertion_failures(rows: list[dict]) -> list[dict]:
    """One dq_assertion_failed incident per run, from its failed assertions' rows."""
    per_run: dict[str, list[dict]] = {}
    for row in rows:
        per_run.setdefault(row["run_id"], []).append(row)
    items = []
    for run_id, failed in per_run.items():
        first = failed[0]
        names = [
            f"{r['assertion']}({r['column_name']}) on {r['dataset_name']}"
            if r["column_name"]
            else f"{r['assertion']} on {r['dataset_name']}"
            for r in failed
        ]
        items.append(
            {
                "incident_id": f"dq:{run_id}",
                "kind": "dq_assertion_failed",
                "detected_ts": q.aware(max(r["event_ts"] for r in failed)),
                "run_id": run_id,
                "started_ts": q.aware(first["start_ts"]),
                "ended_ts": q.aware(first["end_ts"]),
                "attempt": None if first["attempt"] is None else int(first["attempt"]),
                "error_code": "dq_assertion_failed",
                "error_message": f"{len(failed)} data-quality assertion(s) failed: " + "; ".join(names[:5]),
                "reasons": names[:MAX_REASONS],
                "sla": None,
                **{
                    k: first[k]
                    for k in (
                        "pipeline_id",
                        "pipeline_name",
                        "team",
                        "domain",
                        "owner",
                        "criticality",
                        "runbook_url",
                    )
                },
            }
        )
    return items


def _breach_numbers(row: dict) -> dict:
    """The SLA row's figures behind a breach: ratio against its limit, lag against its SLA."""
    limits = row["thresholds"]
    return {
        "window_days": row["window_days"],
        "runs_in_window": row["runs_in_window"],
        "breached_runs": row["breached_runs"],
        "breach_ratio": row["breach_ratio"],
        "max_breach_ratio": limits["max_breach_ratio"],
        "freshness_lag_minutes": row["freshness_lag_minutes"],
        "freshness_sla_minutes": limits["freshness_sla_minutes"],
        "max_duration_minutes": limits["max_duration_minutes"],
        "thresholds_source": limits["source"],
        "last_breached_run_ts": row["last_breached_run_ts"],
    }


def _window(*, hours: int, team, domain, pipeline_id) -> dict:
    now = q.now_naive()
    return {
        "since": now - timedelta(hours=hours),
        "now": now,
        "pipeline_id": pipeline_id,
        "team": team,
        "domain": domain,
    }


def _run_entries(rows: list[dict]) -> list[dict]:
    """Entries of failed runs: id, pipeline, time and criticality until `_items` reads the rest for
    the runs shown (a page needs 50 of thousands)."""
    return [
        {"sort_ts": r["detected_ts"], "incident_id": f"run:{r['run_id']}", "row": r, "item": None}
        for r in rows
    ]


def _other_entries(window: dict, shown: int | None = None) -> list[dict]:
    """The SLA breach and data-quality entries of the window (one per breached pipeline, one per run
    with failed assertions: thousands at most, where failed runs are tens of thousands). An SLA breach
    is built in full (`make`) only when its page shows it: SQL sends its SLA row for the newest
    `shown` breaches only (None: all of them)."""
    since, now, pipeline_id = window["since"], window["now"], window["pipeline_id"]
    entries = []
    if pipeline_id:
        row = sla.pipeline_sla(pipeline_id)
        if row["status"] == "breached" and row["is_active"]:
            detected = _sla_breach(row)["detected_ts"].replace(tzinfo=None)
            if "freshness_breached" in row["reasons"] or detected >= since:
                entries.append(_sla_entry(row, detected, lambda: row))
    else:
        rows = q.fetch_all(
            "sla_breaches",
            **sla.status_binds(
                days=sla.DEFAULT_WINDOW_DAYS,
                now=now,
                active_only=True,
                team=window["team"],
                domain=window["domain"],
            ),
            incident_since=since,
            limit=ALL if shown is None else shown,
        )
        full = {r["pipeline_id"]: r for r in rows if r["shown"]}
        for r in rows:
            entries.append(
                _sla_entry(r, r["detected_ts"] or now, lambda pid=r["pipeline_id"]: _sla_row(pid, full, now))
            )
    for item in _assertion_failures(q.fetch_all("dq_failed_assertions", **window)):
        sort_ts = item["detected_ts"].replace(tzinfo=None)
        entries.append({"sort_ts": sort_ts, "incident_id": item["incident_id"], "row": item, "item": item})
    return entries


def _sla_entry(row: dict, detected: datetime, full) -> dict:
    """An SLA breach entry: `row` holds its pipeline and criticality, `full()` its SLA answer."""
    return {
        "sort_ts": detected,
        "incident_id": f"sla:{row['pipeline_id']}",
        "row": row,
        "item": None,
        "make": lambda: _sla_breach(full()),
    }


def _sla_row(pipeline_id: str, full: dict, now: datetime) -> dict:
    """The SLA answer of a breached pipeline as of `now`: from `sla_breaches`' rows, else (a page past
    the newest `shown`, should SQL and Python order two breaches apart) read for it alone."""
    row = full.get(pipeline_id)
    if row is None:
        row = sla.status_rows(days=sla.DEFAULT_WINDOW_DAYS, now=now, pipeline_id=pipeline_id)[0]
    return sla.row_from(row, now, sla.DEFAULT_WINDOW_DAYS)


def _rate(entries: list[dict], reached: dict) -> None:
    """Each entry's consumers hit (the impact walk of its pipeline) and severity."""
    for e in entries:
        hit = reached[e["row"]["pipeline_id"]]
        e["impact"] = {
            "impacted_consumers": len(hit.consumers),
            "impact_truncated": hit.truncated_reason is not None,
            "impact_truncated_reason": hit.truncated_reason,
        }
        e["severity"] = severity(e["row"]["criticality"], len(hit.consumers))


def _newest_first(entries: list[dict]) -> list[dict]:
    return sorted(entries, key=lambda e: (e["sort_ts"], e["incident_id"]), reverse=True)


def _gather(*, hours: int, team, domain, pipeline_id) -> list[dict]:
    """Every incident in the window, newest first, with severity and consumers hit."""
    window = _window(hours=hours, team=team, domain=domain, pipeline_id=pipeline_id)
    entries = _run_entries(q.fetch_all("failed_runs", **window)) + _other_entries(window)
    _rate(entries, impact.consumers_reached(e["row"]["pipeline_id"] for e in entries))
    return _newest_first(entries)


def failed_run_count(*, hours: int) -> int:
    """The number of run_failed incidents in the last `hours` (the summary's failures_24h)."""
    now = q.now_naive()
    params = {
        "since": now - timedelta(hours=hours),
        "now": now,
        "pipeline_id": None,
        "team": None,
        "domain": None,
    }
    return int((q.fetch_one("failed_run_count", **params) or {}).get("failures") or 0)


def _items(entries: list[dict]) -> list[dict]:
    """The incidents of these entries, in their order: failed runs read in full here, unless their
    row already holds the incident fields (`failed_run_page`)."""
    runs = [e["row"] for e in entries if e["item"] is None and "make" not in e and "end_ts" not in e["row"]]
    starts = [r["start_ts"] for r in runs]
    read = (
        q.fetch_in_chunks(
            "failed_run_details",
            "ids",
            [r["run_id"] for r in runs],
            first_start=min(starts),
            last_start=max(starts),
        )
        if runs
        else []
    )
    details = {r["run_id"]: r for r in read}
    items = []
    for e in entries:
        if "make" in e:
            item = e["make"]()
        elif e["item"] is None and "end_ts" in e["row"]:
            item = _failed_run(e["row"])
        elif e["item"] is None and e["row"]["run_id"] not in details:
            continue  # deleted since `_gather` read it
        else:
            item = e["item"] or _failed_run(details[e["row"]["run_id"]])
        item.update(e["impact"], severity=e["severity"])
        items.append(item)
    return items


def collect(*, hours: int = DEFAULT_HOURS, team=None, domain=None, pipeline_id=None) -> list[dict]:
    """Every incident in the window, newest first, each with severity and consumers hit."""
    return _items(_gather(hours=hours, team=team, domain=domain, pipeline_id=pipeline_id))


def list_incidents(
    *,
    offset: int,
    limit: int,
    severity: str | None = None,
    hours: int = DEFAULT_HOURS,
    team: str | None = None,
    domain: str | None = None,
    pipeline_id: str | None = None,
    kind: str | None = None,
) -> tuple[list, int, dict]:
    """A page of incidents, newest first; `by_severity` counts every severity under the other filters.

    Failed runs are thousands a day: they are counted per pipeline (severity is a pipeline's), and
    only the newest offset + limit are read to merge with the other kinds, unless a severity filter
    needs them all."""
    window = _window(hours=hours, team=team, domain=domain, pipeline_id=pipeline_id)
    # With a severity filter every incident may be on the page: failed runs are read below instead.
    others, with_runs = _others_of_kind(window, kind, shown=None if severity else offset + limit)
    page = (
        q.fetch_all("failed_run_page", **window, limit=0 if severity else offset + limit) if with_runs else []
    )
    counts = [r for r in page if r["part"] == "count"]
    reached = impact.consumers_reached(
        [c["pipeline_id"] for c in counts] + [e["row"]["pipeline_id"] for e in others]
    )
    _rate(others, reached)
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for c in counts:
        by_severity[_severity_of(c, reached)] += c["incidents"]
    for e in others:
        by_severity[e["severity"]] += 1
    if severity:
        runs = (
            [r for r in q.fetch_all("failed_runs", **window) if _severity_of(r, reached) == severity]
            if with_runs
            else []
        )
        others = [e for e in others if e["severity"] == severity]
    else:
        runs = [r for r in page if r["part"] == "run"]
    entries = _run_entries(runs)
    _rate(entries, reached)
    total = by_severity[severity] if severity else sum(by_severity.values())
    return _items(_newest_first(entries + others)[offset : offset + limit]), total, by_severity


def _others_of_kind(window: dict, kind: str | None, shown: int | None) -> tuple[list[dict], bool]:
    """The window's SLA breach and data-quality entries of `kind` (SLA rows for the newest `shown`
    breaches), and whether failed runs count."""
    others = [] if kind == "run_failed" else _other_entries(window, shown)
    return [e for e in others if not kind or _kind(e) == kind], kind in (None, "run_failed")


def daily_counts(
    *,
    hours: int = DAILY_HOURS,
    team: str | None = None,
    domain: str | None = None,
    pipeline_id: str | None = None,
    kind: str | None = None,
) -> dict:
    """The incidents `list_incidents` counts for the same window and filters, per UTC day of their
    detection and severity: failed runs counted per pipeline and day in SQL, the other entries by
    their own detection time. The days run from the window's start (a partial day unless `hours`
    ends at midnight) to today; `earlier` counts the ongoing SLA breaches detected before that
    first day (listed whatever their start). The days plus `earlier` add up to `by_severity`."""
    window = _window(hours=hours, team=team, domain=domain, pipeline_id=pipeline_id)
    others, with_runs = _others_of_kind(window, kind, shown=0)
    counts = q.fetch_all("failed_run_daily_counts", **window) if with_runs else []
    reached = impact.consumers_reached(
        [c["pipeline_id"] for c in counts] + [e["row"]["pipeline_id"] for e in others]
    )
    _rate(others, reached)
    first, last = window["since"].date(), window["now"].date()
    days = {first + timedelta(days=i): dict.fromkeys(SEVERITIES, 0) for i in range((last - first).days + 1)}
    earlier = dict.fromkeys(SEVERITIES, 0)

    def tally(day: date, sev: str, n: int) -> None:
        (earlier if day < first else days.setdefault(day, dict.fromkeys(SEVERITIES, 0)))[sev] += n

    # Tens of thousands of (pipeline, day) rows: each pipeline rated once, then summed per day and severity.
    rated: dict[str, str] = {}
    per_day: Counter = Counter()
    for c in counts:
        sev = rated.get(c["pipeline_id"]) or rated.setdefault(c["pipeline_id"], _severity_of(c, reached))
        per_day[c["detected_date"], sev] += c["incidents"]
    for (day, sev), n in per_day.items():
        tally(_as_date(day), sev, int(n))
    for e in others:
        tally(e["sort_ts"].date(), e["severity"], 1)
    by_severity = {s: earlier[s] + sum(d[s] for d in days.values()) for s in SEVERITIES}
    return {
        "hours": hours,
        "since_ts": q.aware(window["since"]),
        "days": [
            {"date": day.isoformat(), **n, "incidents": sum(n.values())} for day, n in sorted(days.items())
        ],
        "earlier": {**earlier, "incidents": sum(earlier.values())},
        "by_severity": by_severity,
        "incidents": sum(by_severity.values()),
    }


def _as_date(value) -> date:
    """A SQL date (DuckDB gives a date, some drivers a datetime or an ISO string)."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _kind(entry: dict) -> str:
    return "sla_breach" if "make" in entry else entry["item"]["kind"]


def _severity_of(row: dict, reached: dict) -> str:
    return severity(row["criticality"], len(reached[row["pipeline_id"]].consumers))
