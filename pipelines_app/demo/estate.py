"""The shape of a demo estate: pipelines with schedules and failure profiles, the datasets they
read and write, and the consumer assets (dashboards, reports, ML models) at the end of the DAG.

An estate is a shared core plus the cloud's own pipelines. The core (p1..p60, catalog.CORE) is
deployed in every cloud: it is drawn from a random stream that does not depend on the source, so
its PIPELINES rows and lineage (ids, names, namespaces, teams, datasets) are the same in "aws" and
"azure"; each cloud then runs it on its own phase, volume and failure rate. A cloud's own pipelines
(aws-p61.., azure-p61..), the datasets they write and the consumer assets (aws.*, azure.*) are drawn
from the source's stream and never share an id with the other cloud's.

Each stream is consumed in pipeline-id order, so p1..pN are the same whatever N is. The first five
pipelines form a spine that guarantees depth: source -> p2 (5-minute ingest) -> p3 -> p4 -> p5 -> a
critical dashboard."""

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import catalog as c

SPINE_LAYERS = (0, 0, 1, 2, 3)
TYPICAL_RUN_S = {5: 90, 15: 240, 30: 420, 60: 600, 240: 1500, 1440: 2700, 10080: 5400}


@dataclass
class Pipeline:
    pipeline_id: str
    pipeline_name: str
    namespace: str
    team: str
    domain: str
    owner: str
    criticality: str
    platform: str
    schedule: str
    expected_interval_minutes: int
    freshness_sla_minutes: int
    max_duration_minutes: int
    runbook_url: str | None
    tags: str
    is_active: bool
    created_ts: datetime
    # generation-only attributes
    layer: int = 0
    subject: str = ""
    base_run_s: int = 600
    volume: int = 1000
    fail_rate: float = 0.01
    errors: tuple[int, ...] = ()  # indexes into catalog.ERRORS, the pipeline's usual failures
    broken_runs: int = 0  # trailing consecutive failures: a current incident
    stuck_for_s: int = 0  # the last run has been RUNNING this long
    active_until: datetime | None = None
    warehouse: str = "TRANSFORM_WH"
    credits_per_hour: float = 1.0
    phase_s: int = 0
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    TABLE_COLUMNS = (
        "pipeline_id", "pipeline_name", "namespace", "team", "domain", "owner", "criticality", "platform",
        "schedule", "expected_interval_minutes", "freshness_sla_minutes", "max_duration_minutes",
        "runbook_url", "tags", "is_active", "created_ts",
    )  # fmt: skip

    def expected_runs(self, days: int) -> int:
        return max(1, days * 1440 // self.expected_interval_minutes)


@dataclass
class Dataset:
    dataset_id: str
    name: str
    namespace: str
    kind: str
    owner: str
    team: str
    criticality: str
    freshness_sla_minutes: int
    last_updated_ts: datetime | None = None
    writer: str | None = None  # pipeline id
    inputs: list[str] = field(default_factory=list)  # for consumer assets
    domain: str = ""
    subject: str = ""

    TABLE_COLUMNS = (
        "dataset_id", "name", "namespace", "kind", "owner", "team", "criticality", "freshness_sla_minutes",
        "last_updated_ts",
    )  # fmt: skip


@dataclass
class Estate:
    source: str
    now: datetime
    days: int
    pipelines: list[Pipeline]
    datasets: dict[str, Dataset]
    outage: tuple[str, datetime, datetime] | None = None  # (warehouse, from, to): a quota suspension
    outputs_by: dict[tuple, list[str]] = field(default_factory=dict)  # (layer,) / (layer, domain) -> ids
    names: set[str] = field(default_factory=set)
    uses: Counter = field(default_factory=Counter)  # readers per dataset id, pipelines per ingest subject

    def least_used(self, rnd: random.Random, keys) -> str:
        """A random one among the keys used least so far (spreads readers over the estate)."""
        keys = list(keys)
        if len(keys) > 64:  # big estates: the least used of a sample keeps this linear
            keys = rnd.sample(keys, 64)
        low = min(self.uses[k] for k in keys)
        choice = rnd.choice([k for k in keys if self.uses[k] == low])
        self.uses[choice] += 1
        return choice

    def edges(self) -> list[tuple[str, str, str, str]]:
        out = []
        for p in self.pipelines:
            out += [(d, "dataset", p.pipeline_id, "pipeline") for d in p.inputs]
            out += [(p.pipeline_id, "pipeline", d, "dataset") for d in p.outputs]
        for d in self.datasets.values():
            out += [(i, "dataset", d.dataset_id, "dataset") for i in d.inputs]
        return out


def pick(rnd: random.Random, weighted):
    """A weighted draw from (value..., weight) tuples: the value, or the tuple of values."""
    items = list(weighted)
    choice = rnd.choices(items, weights=[i[-1] for i in items])[0]
    return choice[0] if len(choice) == 2 else choice[:-1]


def core_size(count: int) -> int:
    """How many of an estate's `count` pipelines are the shared core: all of it in a full estate, a
    third of a small one (the spine at least), so small estates have pipelines of both kinds."""
    return min(count, c.CORE.default_pipelines, max(len(SPINE_LAYERS), count // 3))


def build_estate(
    source: str,
    *,
    seed: int,
    now: datetime,
    days: int,
    pipelines: int | None = None,
    runs_target: int | None = None,
) -> Estate:
    """`pipelines` pipelines (the source's default when None), or as many as it takes to schedule
    about `runs_target` runs over `days` days: the core first, then the cloud's own."""
    from .lineage import wire_consumers

    profile = c.PROFILES[source]
    estate = Estate(source, now, days, [], {})
    count = pipelines or profile.default_pipelines
    core = c.CORE.default_pipelines if runs_target else core_size(count)
    scheduled = 0

    def wanted() -> bool:
        return scheduled < runs_target if runs_target else len(estate.pipelines) < count

    core_rnd, deploy_rnd = random.Random(f"core:{seed}:estate"), random.Random(f"{source}:{seed}:deploy")
    while wanted() and len(estate.pipelines) < core:
        p = add_pipeline(core_rnd, estate, c.CORE, len(estate.pipelines) + 1)
        deploy(deploy_rnd, p)
        scheduled += p.expected_runs(days)
    rnd = random.Random(f"{source}:{seed}:estate")
    number = c.CORE.default_pipelines
    while wanted():
        number += 1
        scheduled += add_pipeline(rnd, estate, profile, number).expected_runs(days)
    assign_incidents(rnd, estate)
    wire_consumers(rnd, estate, profile)
    return estate


def add_pipeline(rnd: random.Random, estate: Estate, profile: c.Profile, n: int) -> Pipeline:
    from .lineage import wire_pipeline

    p = new_pipeline(rnd, profile, n, estate.now, estate.days)
    wire_pipeline(rnd, estate, profile, p)
    p.runbook_url = runbook(rnd, profile, p)
    estate.pipelines.append(p)
    return p


def deploy(rnd: random.Random, p: Pipeline) -> None:
    """A core pipeline as one cloud runs it: its own scheduler phase, data volume, run time and
    failure rate (its PIPELINES row stays the core's)."""
    interval = p.expected_interval_minutes
    p.phase_s = rnd.randrange(interval * 60) if interval < 1440 else rnd.randrange(0, 3600)
    p.volume = int(p.volume * rnd.uniform(0.6, 1.4))
    p.base_run_s = max(20, int(p.base_run_s * rnd.uniform(0.8, 1.2)))
    p.fail_rate *= rnd.uniform(0.6, 1.5)


def new_pipeline(rnd: random.Random, profile: c.Profile, n: int, now: datetime, days: int) -> Pipeline:
    team, domain = pick(rnd, profile.teams)
    if n == 2:  # the spine: the fleet's 5-minute telemetry ingest
        team, domain = profile.teams[0][:2]
    layer = SPINE_LAYERS[n - 1] if n <= len(SPINE_LAYERS) else pick(rnd, enumerate(c.LAYER_WEIGHTS))
    cron, interval = ("*/5 * * * *", 5) if n == 2 else pick(rnd, c.SCHEDULES)
    base = int(min(interval * 60 * 0.4, TYPICAL_RUN_S[interval] * rnd.uniform(0.4, 1.6)))
    max_duration = -(-base * 5 // 120) + 2  # 2.5x the typical run, rounded up, plus slack
    fail_draw = rnd.random()
    fail_rate = rnd.uniform(0.002, 0.015) if fail_draw < 0.7 else rnd.uniform(0.03, 0.10)
    if fail_draw >= 0.9:
        fail_rate = rnd.uniform(0.12, 0.25)
    p = Pipeline(
        pipeline_id=f"{profile.pipeline_prefix}{n}",
        pipeline_name="",
        namespace=profile.pipeline_namespace,
        team=team,
        domain=domain,
        owner=f"{rnd.choice(c.PEOPLE)}@bhp-lab.example",
        criticality="critical" if n == 2 else pick(rnd, c.CRITICALITIES),
        platform=pick(rnd, profile.platforms),
        schedule=cron,
        expected_interval_minutes=interval,
        freshness_sla_minutes=(interval * 2 if interval < 10080 else interval + 1440) + max_duration,
        max_duration_minutes=max_duration,
        runbook_url=None,  # set once the pipeline has a name
        tags=",".join(rnd.sample(c.EXTRA_TAGS, rnd.choice((0, 0, 1, 2)))),  # + the tier tag once wired
        is_active=True,
        # one draw whatever `days` is, and a whole day: the core is the same in clouds loaded apart
        created_ts=(now - timedelta(days=max(days + 5, 40 + int(rnd.random() * 860)))).replace(
            hour=0, minute=0, second=0, microsecond=0
        ),
        layer=layer,
        base_run_s=max(20, base),
        volume=int(10 ** rnd.uniform(3, 7.5)),
        fail_rate=0.02 if n == 2 else fail_rate,
        errors=tuple(
            rnd.choices(range(len(c.ERRORS)), weights=[e[2] * (e[1] in c.USUAL) for e in c.ERRORS], k=2)
        ),
        credits_per_hour=rnd.uniform(0.15, 0.6),  # share of the warehouse; times its rate once wired
        phase_s=rnd.randrange(interval * 60) if interval < 1440 else rnd.randrange(0, 3600),
    )
    return p


def runbook(rnd: random.Random, profile: c.Profile, p: Pipeline) -> str | None:
    draw = rnd.random()
    if draw < 0.72 or p.pipeline_id == "p2":
        return f"{profile.runbook_base}/{p.team}/{p.pipeline_name}"
    if draw < 0.88:
        return None
    return rnd.choice(c.BAD_RUNBOOKS).format(name=p.pipeline_name)


def assign_incidents(rnd: random.Random, estate: Estate) -> None:
    """Trouble: a few broken pipelines (trailing failures), stuck runs, retired pipelines, and one
    resource-monitor suspension that fails every run on a warehouse for a while. Each cloud has
    its own, core pipelines included; only the cloud's own pipelines retire (a core pipeline's
    row, is_active included, is the same in every cloud)."""
    ps = estate.pipelines
    began = estate.now - timedelta(days=rnd.uniform(2, max(2, min(12, estate.days - 1))))
    estate.outage = ("TRANSFORM_WH", began, began + timedelta(minutes=rnd.randint(75, 150)))
    eligible = [p for p in ps[5:] if p.layer <= 2] or ps[2:]
    n = len(ps)
    for p in rnd.sample(eligible, min(len(eligible), max(2, round(n * 0.03)))):
        p.broken_runs = rnd.randint(3, 8)
        p.errors = (rnd.choice((1, 4, 6, 9, 11)),) * 2  # permission, drift, upstream, network, credentials
    calm = [p for p in ps[5:] if not p.broken_runs]
    for p in rnd.sample(calm, min(len(calm), max(1, round(n * 0.015)))):
        p.stuck_for_s = int(p.max_duration_minutes * 60 * rnd.uniform(3, 6))
    calm = [p for p in calm if not p.stuck_for_s and not is_core(p)]
    ensure_runbook_gaps(rnd, estate)
    retired_days = (8, min(20, estate.days - 1)) if estate.days > 9 else (1, 1)
    for p in rnd.sample(calm, min(len(calm), round(n * 0.04))):
        p.is_active = False
        p.active_until = estate.now - timedelta(days=rnd.uniform(*retired_days))


def is_core(p: Pipeline) -> bool:
    return p.namespace == c.CORE.pipeline_namespace


def ensure_runbook_gaps(rnd: random.Random, estate: Estate) -> None:
    """Even a small estate has a pipeline without a runbook and one with an unusable link, taken
    among the cloud's own pipelines while it has any (so the core stays the same in every cloud)."""
    urls = [p.runbook_url for p in estate.pipelines]
    own = [p for p in estate.pipelines[2:] if not is_core(p)]
    if not own:  # a tiny, core-only estate: the same choice in every cloud
        rnd, own = random.Random(f"core:{len(estate.pipelines)}:runbooks"), estate.pipelines[2:]
    others = [p for p in own if p.runbook_url and p.runbook_url.startswith("https://")]
    if None not in urls and others:
        others.pop(rnd.randrange(len(others))).runbook_url = None
    if all(u is None or u.startswith("https://") for u in urls) and others:
        p = others.pop(rnd.randrange(len(others)))
        p.runbook_url = rnd.choice(c.BAD_RUNBOOKS).format(name=p.pipeline_name)
