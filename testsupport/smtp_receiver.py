"""A local SMTP server for email tests: a stdlib socket server in a thread speaking enough SMTP
(RFC 5321: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for smtplib and Django's SMTP backend.
It keeps every message it accepts (parsed, `email.message.EmailMessage`) with its envelope.
`rcpt_reply` / `data_reply` make it refuse, e.g. "450 mailbox busy" (transient) or
"550 no such user" (permanent)."""

import socketserver
import threading
from email import message_from_bytes, policy


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 127.0.0.1 ESMTP test receiver")
        envelope = {"from": "", "to": []}
        while line := self.rfile.readline():
            verb, _, arg = line.decode().strip().partition(" ")
            if not self.command(verb.upper(), arg, envelope):
                return

    def command(self, verb: str, arg: str, envelope: dict) -> bool:
        receiver = self.server.receiver
        if verb == "EHLO":
            self.reply("250-127.0.0.1\r\n250 8BITMIME")
        elif verb == "MAIL":
            envelope.update({"from": arg.partition(":")[2].strip("<> "), "to": []})
            self.reply("250 OK")
        elif verb == "RCPT":
            envelope["to"].append(arg.partition(":")[2].strip("<> "))
            self.reply(receiver.rcpt_reply or "250 OK")
        elif verb == "DATA":
            self.reply("354 end with <CRLF>.<CRLF>")
            self.data(receiver, envelope)
        elif verb == "QUIT":
            self.reply("221 bye")
            return False
        else:  # HELO, RSET, NOOP
            self.reply("250 OK")
        return True

    def data(self, receiver: "SmtpReceiver", envelope: dict) -> None:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        if receiver.data_reply:
            self.reply(receiver.data_reply)
            return
        parsed = message_from_bytes(b"".join(lines), policy=policy.default)
        receiver.messages.append({**envelope, "message": parsed})
        self.reply("250 OK queued")


class SmtpReceiver:
    def __init__(self, *, rcpt_reply: str = "", data_reply: str = ""):
        self.rcpt_reply, self.data_reply = rcpt_reply, data_reply
        self.messages: list[dict] = []
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
        self.server.daemon_threads = True
        self.server.receiver = self
        # A short poll interval: shutdown() waits up to one interval, which every test pays.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self) -> "SmtpReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
