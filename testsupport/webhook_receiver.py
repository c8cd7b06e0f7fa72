"""A local webhook receiver for alert tests: a stdlib HTTP server in a thread that records every
POST (path, headers, raw body and decoded JSON) and answers with a status the test chooses.

`script` answers the first requests with the statuses given, in order (e.g. [500] then `status`);
`reply` is the JSON body every answer carries (a vendor's documented response), else b"ok";
`delay_s` holds each answer back, to make a client time out."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(
        self, status: int = 200, *, script: list[int] | None = None, reply: dict | None = None, delay_s=0.0
    ):
        self.status = status
        self.script = list(script or [])
        self.reply = reply
        self.delay_s = delay_s
        self.posts: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append(
                    {"path": self.path, "json": _json(raw), "raw": raw, "headers": dict(self.headers.items())}
                )
                status = receiver.script.pop(0) if receiver.script else receiver.status
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                body = json.dumps(receiver.reply).encode() if receiver.reply is not None else b"ok"
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (delay_s): what a timeout test wants

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits up to one interval, which every test pays.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.base}/hook"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def bodies(self) -> list:
        return [p["json"] for p in self.posts]


def _json(raw: bytes):
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return None
