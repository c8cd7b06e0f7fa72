"""Daily RUN_COSTS: one row per pipeline and usage day, priced from the day's billed run time on
the pipeline's warehouse, with a few cost spikes injected on the latest day (the anomalies the
cost views should find)."""

import random

import pyarrow as pa

from .catalog import AUD_PER_CREDIT
from .estate import Estate
from .runs import RunSummary, epoch_s

COLUMNS = ("run_id", "pipeline_id", "usage_date", "cost_aud", "credits_used", "warehouse_name")


def cost_table(estate: Estate, summaries: dict[str, RunSummary], seed: int) -> tuple[pa.Table, list[str]]:
    """The RUN_COSTS rows and the ids of the pipelines given an anomalous latest day. A row's run_id
    is the day's last run of that pipeline (the metering batch it was billed with)."""
    rnd = random.Random(f"{estate.source}:{seed}:costs")
    rows: dict[str, list] = {name: [] for name in COLUMNS}
    latest = epoch_s(estate.now) // 86400
    history: dict[str, list[float]] = {}
    for p in estate.pipelines:
        s = summaries[p.pipeline_id]
        for day in sorted(s.day_seconds):
            credits = round(s.day_seconds[day] / 3600 * p.credits_per_hour * rnd.uniform(0.85, 1.15), 4)
            if day != latest:
                history.setdefault(p.pipeline_id, []).append(credits)
            for name, value in zip(
                COLUMNS,
                (
                    s.day_last_run[day],
                    p.pipeline_id,
                    day,
                    round(credits * AUD_PER_CREDIT, 4),
                    credits,
                    p.warehouse,
                ),
                strict=True,
            ):
                rows[name].append(value)
    anomalies = inject_spikes(rnd, estate, rows, history, latest)
    table = pa.table({**rows, "usage_date": pa.array(rows["usage_date"], pa.date32())})
    return table, anomalies


def inject_spikes(rnd: random.Random, estate: Estate, rows: dict, history: dict, latest: int) -> list[str]:
    """Multiply the latest day's cost of a few established pipelines by 4-9x their daily average."""
    today = {
        pid: i
        for i, (pid, day) in enumerate(zip(rows["pipeline_id"], rows["usage_date"], strict=True))
        if day == latest
    }
    candidates = sorted(pid for pid in today if len(history.get(pid, ())) >= 2)
    chosen = rnd.sample(candidates, min(len(candidates), max(3, round(len(estate.pipelines) / 60))))
    for pid in chosen:
        i = today[pid]
        credits = round(sum(history[pid]) / len(history[pid]) * rnd.uniform(4, 9), 4)
        rows["credits_used"][i] = credits
        rows["cost_aud"][i] = round(credits * AUD_PER_CREDIT, 4)
    order = {p.pipeline_id: i for i, p in enumerate(estate.pipelines)}
    return sorted(chosen, key=order.__getitem__)
