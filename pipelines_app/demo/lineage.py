"""Datasets and lineage of a demo estate: each pipeline reads the previous layer's tables (mostly in
its own domain) and writes its own; consumer assets read the core and mart layers. The shared core
reads and writes only core datasets (the same ids in every cloud); a cloud's own pipelines also
build on the core's tables, and the datasets they write and the consumer assets start with the
cloud's prefix ("aws."). Source systems' tables (`src.<system>.<subject>`) are one dataset whoever
ingests them; each cloud's own systems are its own.
Freshness (`last_updated_ts`) is settled after the runs exist: a table is as fresh as its
writer's last successful run."""

import random
from datetime import datetime, timedelta

from . import catalog as c
from .estate import Dataset, Estate, Pipeline, pick

LAYER_SUFFIXES = (("",), ("",), ("_fact", "_dim", ""), ("_daily", "_kpis", "_features", "_summary"))
SECOND_OUTPUT = ("_history", "_rejects", "_snapshot")
CRITICALITY_ORDER = ("low", "medium", "high", "critical")
LAYER_WAREHOUSES = ("INGEST_WH", "TRANSFORM_WH", "TRANSFORM_WH", "ANALYTICS_WH")


def unique(taken, text: str) -> str:
    candidate, n = text, 1
    while candidate in taken:
        n += 1
        candidate = f"{text}_{n}"
    return candidate


def add_dataset(estate: Estate, d: Dataset, layer: int | None = None) -> Dataset:
    wanted, d.dataset_id = d.dataset_id, unique(estate.datasets, d.dataset_id)
    if d.kind in ("table", "view"):  # its name in its own account (the namespace says which)
        d.name = d.dataset_id.removeprefix(f"{estate.source}.").upper()
    elif d.dataset_id != wanted:  # a second "Haul Cycles Overview" in the same BI tool: "... 2"
        d.name = f"{d.name} {d.dataset_id.rsplit('_', 1)[1]}"
    estate.datasets[d.dataset_id] = d
    if layer is not None:
        estate.outputs_by.setdefault((layer,), []).append(d.dataset_id)
        estate.outputs_by.setdefault((layer, d.domain), []).append(d.dataset_id)
    return d


def spine_feeder(estate: Estate, p: Pipeline) -> Pipeline | None:
    """p3 reads p2, p4 reads p3, p5 reads p4: the guaranteed deep path from the 5-minute ingest.
    The core comes first and an estate's first five pipelines are core: the n-th is pn."""
    n = len(estate.pipelines) + 1
    return estate.pipelines[n - 2] if 3 <= n <= 5 else None


def wire_pipeline(rnd: random.Random, estate: Estate, profile: c.Profile, p: Pipeline) -> None:
    """Inputs, outputs and name. A pipeline builds on its own domain's previous layer; when its
    domain has nothing there yet, it sits lower (down to an ingest of a source system)."""
    feeder = spine_feeder(estate, p)
    if feeder:
        p.team, p.domain, p.inputs = feeder.team, feeder.domain, [feeder.outputs[0]]
    elif p.layer:
        p.layer = next(
            (lv + 1 for lv in range(p.layer - 1, -1, -1) if estate.outputs_by.get((lv, p.domain))), 0
        )
        p.inputs = choose_inputs(rnd, estate, p) if p.layer else []
    if p.layer == 0:
        p.subject = estate.least_used(rnd, c.SUBJECTS[p.domain])
        system = rnd.choice(profile.systems)
        src_id = f"src.{system}.{p.subject}"  # a source system's table: the same whoever reads it
        if src_id not in estate.datasets:
            src = Dataset(src_id, "", f"{system}://prod", "table", p.owner, p.team, p.criticality, 1440)
            src.domain, src.subject = p.domain, p.subject
            add_dataset(estate, src)
        p.inputs = [src_id]
    else:
        p.subject = estate.datasets[p.inputs[0]].subject
    settle_layer(p)
    schema, verbs, _ = c.LAYERS[p.layer]
    p.pipeline_name = unique(estate.names, f"{p.subject}_{rnd.choice(verbs)}")
    estate.names.add(p.pipeline_name)
    suffixes = [rnd.choice(LAYER_SUFFIXES[p.layer])]
    if rnd.random() < 0.2:
        suffixes.append(rnd.choice(SECOND_OUTPUT))
    for suffix in suffixes:
        kind = "view" if p.layer >= 2 and rnd.random() < 0.1 else "table"
        dataset_id = f"{profile.dataset_prefix}{schema}.{p.domain.replace('-', '_')}.{p.subject}{suffix}"
        d = Dataset(
            dataset_id, "", profile.namespace, kind, p.owner, p.team, p.criticality, p.freshness_sla_minutes
        )
        d.writer, d.domain, d.subject = p.pipeline_id, p.domain, p.subject
        p.outputs.append(add_dataset(estate, d, p.layer).dataset_id)


def settle_layer(p: Pipeline) -> None:
    """The layer-dependent attributes, once the layer is final: warehouse, its price, the tier tag."""
    p.warehouse = "ML_WH" if p.domain == "data-science" else LAYER_WAREHOUSES[p.layer]
    p.credits_per_hour *= dict(c.WAREHOUSES)[p.warehouse]
    p.tags = ",".join([c.LAYERS[p.layer][2], *filter(None, p.tags.split(","))])


def choose_inputs(rnd: random.Random, estate: Estate, p: Pipeline) -> list[str]:
    """The main input from the same domain's previous layer; sometimes a cross-domain join."""
    chosen = [estate.least_used(rnd, estate.outputs_by[(p.layer - 1, p.domain)])]
    for _ in range(rnd.choice((0, 0, 1, 1, 2))):
        extra = rnd.choice(estate.outputs_by[(rnd.randrange(p.layer),)])
        if extra not in chosen:
            chosen.append(extra)
    return chosen


def wire_consumers(rnd: random.Random, estate: Estate, profile: c.Profile) -> None:
    tables = estate.outputs_by.get((3,), []) + estate.outputs_by.get((2,), [])
    if not tables:
        return
    if len(estate.pipelines) >= 5:
        spine = [estate.pipelines[4].outputs[0], estate.pipelines[3].outputs[0]]
        add_consumer(
            rnd, estate, profile, "dashboard", spine, noun="operations_overview", criticality="critical"
        )
    for _ in range(max(3, round(len(estate.pipelines) * 0.45))):
        first = estate.datasets[estate.least_used(rnd, tables)]
        peers = estate.outputs_by.get((3, first.domain), []) + estate.outputs_by.get((2, first.domain), [])
        inputs = list(
            dict.fromkeys([first.dataset_id, *rnd.sample(peers, min(len(peers), rnd.choice((0, 1, 2))))])
        )
        add_consumer(rnd, estate, profile, pick(rnd, c.CONSUMER_KINDS), inputs)


ACRONYMS = {"kpi": "KPI", "kpis": "KPIs", "sla": "SLA", "ml": "ML", "bi": "BI", "hse": "HSE", "cdc": "CDC"}


def title_words(text: str) -> str:
    """ "shift_kpis overview" → "Shift KPIs Overview": title case that keeps acronyms whole."""
    return " ".join(ACRONYMS.get(w.lower(), w.capitalize()) for w in text.replace("_", " ").split())


def add_consumer(
    rnd, estate: Estate, profile: c.Profile, kind: str, inputs: list[str], *, noun=None, criticality=None
):
    first = estate.datasets[inputs[0]]
    noun = noun or rnd.choice(c.CONSUMER_NOUNS[kind])
    level = CRITICALITY_ORDER.index(first.criticality) + (1 if rnd.random() < 0.4 else 0)
    criticality = criticality or CRITICALITY_ORDER[min(level, 3)]
    namespace = f"mlflow://bhp-{estate.source}" if kind == "ml_model" else profile.bi_namespace
    label = title_words(f"{first.subject} {noun}")
    sla = 720 if criticality == "critical" and kind == "dashboard" else 1440
    dataset_id = f"{profile.dataset_prefix}{kind}.{first.domain.replace('-', '_')}.{first.subject}_{noun}"
    d = Dataset(dataset_id, label, namespace, kind, first.owner, first.team, criticality, sla, inputs=inputs)
    d.domain, d.subject = first.domain, first.subject
    add_dataset(estate, d)


def settle_freshness(estate: Estate, last_success: dict[str, datetime | None], seed: int) -> None:
    """last_updated_ts for every dataset, from the runs: writers' last success; external sources
    mostly fresh, stale where their ingest pipeline reports missing upstream data."""
    rnd = random.Random(f"{estate.source}:{seed}:freshness")
    now, floor = estate.now, estate.now - timedelta(days=estate.days + 1)
    starved = {
        d
        for p in estate.pipelines
        if p.layer == 0 and c.ERRORS[p.errors[0]][1] == "upstream_missing"
        for d in p.inputs
    }
    for d in estate.datasets.values():
        if d.writer:
            d.last_updated_ts = last_success.get(d.writer) or floor
        elif not d.inputs:
            stale = d.dataset_id in starved or rnd.random() < 0.05
            age = timedelta(days=rnd.uniform(1.5, 5)) if stale else timedelta(minutes=rnd.uniform(5, 90))
            d.last_updated_ts = (now - age).replace(microsecond=0)
    for d in estate.datasets.values():
        if d.inputs:
            oldest = min(estate.datasets[i].last_updated_ts for i in d.inputs)
            d.last_updated_ts = min(now, oldest + timedelta(minutes=rnd.uniform(5, 45))).replace(
                microsecond=0
            )
