"""A local EC2 instance metadata service (IMDSv2) for the AWS credential chain: botocore asks it
when AWS_EC2_METADATA_SERVICE_ENDPOINT points here and AWS_EC2_METADATA_DISABLED is not true.
Without a role it answers as an instance without one (404); with a role it hands out that role's
temporary credentials. Every request is recorded."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "imds-session-token"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"


class MetadataService:
    def __init__(self, role: str | None = None, access_key_id: str = "ASIAIMDSTEST"):
        self.role, self.access_key_id = role, access_key_id
        self.requests: list[tuple[str, str]] = []  # (method, path)
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: str = "") -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                service.requests.append(("PUT", self.path))
                self._answer(200, TOKEN) if self.path == "/latest/api/token" else self._answer(404)

            def do_GET(self):
                service.requests.append(("GET", self.path))
                if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                    return self._answer(401)
                if service.role and self.path == ROLE_PATH:
                    return self._answer(200, service.role)
                if service.role and self.path == ROLE_PATH + service.role:
                    return self._answer(200, json.dumps(service.credentials()))
                return self._answer(404)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def credentials(self) -> dict:
        expires = datetime.now(UTC) + timedelta(hours=6)
        return {
            "Code": "Success",
            "Type": "AWS-HMAC",
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": "imds-test-secret",
            "Token": "imds-test-session",
            "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> "MetadataService":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
