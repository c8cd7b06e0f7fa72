"""Scenario 9: the control tier over many deployments.

Every healthy source is a real source API of its own: a gunicorn process (one worker, four
threads) over its own copy of a small demo warehouse — the "aws" and "azure" demo estates in turn
(bench/data.py), so the merge sees two identities sets shared by many deployments, as one
pipeline runs in several. Two more are broken on purpose: `hung` accepts the connection and never
answers, `erroring` answers 500 to every path (both threaded HTTP servers in this process,
testsupport/stubs.py). The control tier (gunicorn, one worker, eight threads) fans out to them.

Configurations: 2, 5 and 10 healthy sources (the cost of one more source: the p95 slope), and the
ten the aim is about — 8 healthy, hung and erroring. For each, /api/aggregate/summary and
/api/aggregate/pipelines?limit=100 are requested `iterations` times after warm-up (which opens the
broken sources' breakers: CT_SOURCE_TIMEOUT_S=5, threshold 3, cooldown 30 s, so a half-open trial
call may land in the samples, as it would in service); the figure is the control tier's
server-side time; beside it, the sources' own server-side times over the same requests
(`sources_server`: every source call in the window), which separate what the sources cost (all ten
share this machine's two cores, as no real fleet does) from the control tier's own work. Before
any configuration each source answers the calls once directly, as a deployed source has long been
warm: a cold source's first answers (imports, SQL transpiled on first use, first scans) took 8-11 s
here under load, beyond the 5 s budget, and three such timeouts in a row open its breaker for the
30 s cool-down. Every answer of the degraded ten must mark exactly the two broken sources
(`_meta.sources[name].ok` false, `_meta.degraded` true) — the bench fails otherwise."""

import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import ROOT, Client, Server, free_port, stats_ms
from pages_bench import control_env, start_control

sys.path.insert(0, str(ROOT))
from testsupport.stubs import Reply, StubSource  # noqa: E402

PATHS = ("/api/aggregate/summary", "/api/aggregate/pipelines?limit=100")
COUNTS = (2, 5, 10)
TIMEOUT_S = "5"
BROKEN = ("hung", "erroring")


class EveryPath(dict):
    """A stub's routes answering every path with one reply."""

    def __init__(self, reply: Reply):
        super().__init__()
        self.reply = reply

    def get(self, path, default=None):
        return self.reply


def broken_sources() -> dict[str, StubSource]:
    hung = StubSource("hung", routes=EveryPath(Reply(hang=True)), port=free_port()).start()
    error = {"error": {"code": "internal_error", "message": "boom"}}
    erroring = StubSource("erroring", routes=EveryPath(Reply(status=500, body=error)), port=free_port())
    return {"hung": hung, "erroring": erroring.start()}


def healthy_sources(estates: list[dict], count: int, work: Path) -> dict[str, tuple[Server, str]]:
    """{name: (server, token)}: `count` source APIs, each on its own copy of an estate in turn."""

    def one(i: int) -> tuple[str, tuple[Server, str]]:
        estate = estates[i % len(estates)]
        copy = work / f"src{i}"
        if not copy.exists():
            shutil.copytree(estate["data_dir"], copy, ignore=shutil.ignore_patterns("access-*", "server-*"))
        return f"src{i}", (Server(copy, threads=4), estate["token"])

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(one, range(count)))


WARM = ("/api/summary", "/api/pipeline-keys", "/api/pipelines?limit=100")


def warm(sources: dict[str, tuple[Server, str]]) -> None:
    """Each source answers the calls the control tier makes, once, directly."""

    def one(item: tuple[Server, str]) -> None:
        server, token = item
        client = Client(server.url, token)
        for path in WARM:
            status, body, _ = client.get(path)
            if status != 200:
                raise SystemExit(f"{server.url}{path}: HTTP {status} {body[:200]!r}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, sources.values()))


def timed(control: Server, path: str, iterations: int, warmup: int, expect_down: set[str], servers) -> dict:
    client = Client(control.url)
    flags_ok, bad = 0, []
    for i in range(warmup + iterations):
        if i == warmup:
            offset = control.log_offset()
            offsets = [(s, s.log_offset()) for s in servers]
        status, body, _ = client.get(path)
        meta = json.loads(body).get("_meta", {}) if status == 200 else {}
        errors = {n: s.get("error") for n, s in (meta.get("sources") or {}).items() if not s.get("ok")}
        down = set(errors)
        marked = status == 200 and down == expect_down and bool(meta.get("degraded")) == bool(expect_down)
        if i >= warmup:
            flags_ok += marked
            if not marked and len(bad) < 3:
                bad.append({"status": status, "down": errors, "degraded": meta.get("degraded")})
    logged = path.split("?")[0]
    for _ in range(50):
        times = control.server_times(offset, logged)
        if len(times) >= iterations:
            break
        time.sleep(0.05)
    at_sources = [t for s, since in offsets for t in s.server_times(since)]
    return {"path": path, "iterations": iterations, "server": stats_ms(times), "flags_ok": flags_ok,
            "flags_wrong": bad, "sources_server": stats_ms(at_sources)}  # fmt: skip


def configuration(names: dict, control_dir: Path, iterations: int, warmup: int, down: set, servers) -> dict:
    control, _ = start_control(control_dir, control_env(names, CT_SOURCE_TIMEOUT_S=TIMEOUT_S))
    try:
        return {p: timed(control, p, iterations, warmup, down, servers) for p in PATHS}
    finally:
        control.stop()


def run(estates: list[dict], iterations: int, warmup: int, work: Path) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sources = healthy_sources(estates, max(COUNTS), work)
    warm(sources)
    stubs = broken_sources()
    out = {"configurations": {}, "sources": "real source APIs (gunicorn) over copies of the demo estates"}
    try:
        wired = {name: (server.url, token) for name, (server, token) in sources.items()}
        for count in COUNTS:
            names = dict(list(wired.items())[:count])
            servers = [server for server, _ in list(sources.values())[:count]]
            out["configurations"][f"healthy_{count}"] = configuration(
                names, work / f"control-{count}", iterations, warmup, set(), servers
            )
        names = dict(list(wired.items())[: max(COUNTS) - len(BROKEN)])
        names |= {name: (stub.url, "any") for name, stub in stubs.items()}
        servers = [server for server, _ in list(sources.values())[: len(names) - len(BROKEN)]]
        out["configurations"]["degraded_10"] = configuration(
            names, work / "control-degraded", iterations, warmup, set(BROKEN), servers
        )
    finally:
        for server, _ in sources.values():
            server.stop()
        for stub in stubs.values():
            stub.stop()
    first, last = COUNTS[0], COUNTS[-1]
    for path in PATHS:
        p95 = {n: out["configurations"][f"healthy_{n}"][path]["server"]["p95_ms"] for n in (first, last)}
        out.setdefault("per_source_ms", {})[path] = round((p95[last] - p95[first]) / (last - first), 2)
    return out
