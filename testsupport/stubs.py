"""A stub source API: a real threaded HTTP server on a free localhost port that answers
configured JSON per path and misbehaves on demand (hang, 5xx, invalid JSON, stopped port).

    aws = StubSource("aws").start()
    aws.reply("/api/summary", {"pipelines": 3})
    aws.reply("/api/pipelines", handler=lambda req: (200, {...}))   # computed per request
    aws.catalogue([{"pipeline_id": "p1", ...}])  # /api/pipeline-keys and /api/pipelines
    aws.hang("/api/summary")        # never answers (until stop)
    aws.stop()                      # closes the port and every open connection
    aws.requests                    # what it received (method, path, query, headers, body)

Plain Python (no pytest, no Django), so bench/aggregate_bench.py serves from it too; the
`stub_sources` fixture (conftest.py) points the control tier at named stubs.
"""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKENS = {"aws": "aws-service-token", "azure": "azure-service-token", "gcp": "gcp-service-token"}


@dataclass
class Received:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: object = None
    raw: bytes | None = None
    content_type: str = "application/json"
    delay: float = 0.0
    hang: bool = False
    handler: object = None
    headers: dict = field(default_factory=dict)


@dataclass
class StubSource:
    name: str
    routes: dict = field(default_factory=dict)
    port: int = 0  # 0: one the system picks
    requests: list = field(default_factory=list)

    def start(self) -> "StubSource":
        self._release = threading.Event()
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def reply(self, path: str, body=None, status: int = 200, **options) -> None:
        self.routes[path] = Reply(status=status, body=body, **options)

    def hang(self, path: str) -> None:
        self.routes[path] = Reply(hang=True)

    def garbage(self, path: str, raw: bytes = b"<html>502 Bad Gateway</html>", status: int = 200) -> None:
        self.routes[path] = Reply(status=status, raw=raw, content_type="text/html")

    def catalogue(self, rows: list[dict], delay: float = 0.0) -> None:
        """Serve `rows` as a source's pipeline catalogue: `/api/pipeline-keys` and
        `/api/pipelines` (paged, and filtered by `pipeline_ids`), as the source API does."""

        def pipelines(req):
            wanted = set(",".join(req.query.get("pipeline_ids", [])).split(",")) - {""}
            items = [r for r in rows if not wanted or r["pipeline_id"] in wanted]
            offset, limit = int(req.query.get("offset", ["0"])[0]), int(req.query.get("limit", ["50"])[0])
            return 200, {"items": items[offset : offset + limit], "total": len(items), "offset": offset,
                         "limit": limit}  # fmt: skip

        columns = ["pipeline_id", "pipeline_name", "namespace", "is_active", "runs_7d", "last_status",
                   "last_start_ts", "last_end_ts"]  # fmt: skip
        keys = {"columns": columns, "items": [[r.get(c) for c in columns] for r in rows], "total": len(rows)}
        self.reply("/api/pipelines", handler=pipelines, delay=delay)
        self.reply("/api/pipeline-keys", {**keys, "complete": True}, delay=delay)

    def calls(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def stop(self) -> None:
        """Stop answering: close the listening port and every kept-alive connection."""
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        with self._lock:
            for conn in list(self._connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def _handler_for(stub: StubSource):
    return type("Handler", (_StubHandler,), {"stub": stub})


class _StubHandler(BaseHTTPRequestHandler):
    """Answers as `stub` (set on the subclass _handler_for makes) is configured."""

    stub: StubSource
    protocol_version = "HTTP/1.1"  # keep-alive, so the client's connection pool is exercised

    def setup(self):
        super().setup()
        # headers and body go out as two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.stub._lock:
            self.stub._connections.add(self.connection)

    def finish(self):
        with self.stub._lock:
            self.stub._connections.discard(self.connection)
        super().finish()

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        received = Received(
            self.command, parts.path, parse_qs(parts.query), dict(self.headers), self.rfile.read(length)
        )
        self.stub.requests.append(received)
        reply = self.stub.routes.get(parts.path)
        if reply is None:
            return self._send(
                404, {"error": {"code": "not_found", "message": f"No route matches {parts.path}."}}
            )
        if reply.hang:
            self.stub._release.wait(30)
            return None
        if reply.delay:
            time.sleep(reply.delay)
        if reply.handler is not None:
            status, body = reply.handler(received)
            return self._send(status, body)
        if reply.raw is not None:
            return self._send(reply.status, None, raw=reply.raw, content_type=reply.content_type)
        return self._send(reply.status, reply.body, content_type=reply.content_type, headers=reply.headers)

    def _send(self, status, body, raw=None, content_type="application/json", headers=None):
        data = raw if raw is not None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
