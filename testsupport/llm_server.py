"""A local HTTP server speaking the OpenAI chat-completions protocol (and Azure OpenAI's
deployment paths), for driving the real openai SDK in tests. Each request is answered by the next
scripted reply: a (status, body) pair, or a callable taking the request's JSON and returning one."""

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(
    content: str, *, prompt_tokens: int = 321, completion_tokens: int = 54, model: str = "local-llm"
):
    """A chat.completion body with one assistant message."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1795000000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def error(status: int, message: str, kind: str = "server_error"):
    return status, {"error": {"message": message, "type": kind, "code": None}}


class ChatServer:
    def __init__(self):
        self.replies: deque = deque()
        self.requests: list[dict] = []  # {"path", "headers", "json"}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append({"path": self.path, "headers": headers, "json": payload})
                reply = server.replies.popleft() if server.replies else error(500, "no scripted reply")
                if callable(reply):
                    reply = reply(payload)
                status, body, delay = (*reply, 0) if len(reply) == 2 else reply
                time.sleep(delay)
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, *replies) -> None:
        self.replies.extend(replies)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
