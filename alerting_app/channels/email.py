"""Email through Django's email backend (SMTP in production: EMAIL_URL, see settings): one message
with a plain-text and an HTML body, the state and title in the subject. Every notification of
one incident refers to the same thread id, so mail clients keep trigger and resolve together.

Configure with CT_ALERT_CHANNEL_<NAME>_TO (comma-separated addresses) and optionally
CT_ALERT_CHANNEL_<NAME>_FROM (else DEFAULT_FROM_EMAIL)."""

import hashlib
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import format_html, format_html_join

from alerting_app.channels import http, text
from alerting_app.channels.base import Delivery, DeliveryError, Message

log = logging.getLogger(__name__)
SUBJECT_MAX = 200


def subject(message: Message) -> str:
    title = " ".join(message.title.split())  # a header: no line breaks
    return text.cut(f"[{text.state(message).upper()}] {title}", SUBJECT_MAX)


def plain(message: Message) -> str:
    lines = [text.headline(message), "", message.summary, ""]
    lines += [f"{label}: {value}" for label, value in text.facts(message)]
    hits = text.member_lines(message)
    lines += ["", "Hits:", *(f"- {line}" for line in hits)] if hits else []
    lines += ["", f"Open in Control Tower: {message.url}"] if message.url else []
    return "\n".join([*lines, f"Fingerprint: {message.fingerprint}", ""])


def html(message: Message) -> str:
    rows = format_html_join("", "<tr><th align='left'>{}</th><td>{}</td></tr>", text.facts(message))
    hits = format_html_join("", "<li>{}</li>", ((line,) for line in text.member_lines(message)))
    link = format_html("<p><a href='{}'>Open in Control Tower</a></p>", message.url) if message.url else ""
    return format_html(
        "<h2>{}</h2><p>{}</p><table>{}</table>{}{}<p><small>{}</small></p>",
        text.headline(message),
        message.summary,
        rows,
        format_html("<h3>Hits</h3><ul>{}</ul>", hits) if hits else "",
        link,
        message.fingerprint,
    )


def thread_id(message: Message) -> str:
    return f"<{hashlib.sha256(message.fingerprint.encode()).hexdigest()[:32]}@controltower.alerts>"


@dataclass(frozen=True)
class EmailChannel:
    name: str
    to: tuple[str, ...]
    from_email: str = ""
    kind: str = "email"

    VARIABLES = ("TO", "FROM")
    REQUIRED = ("TO",)

    @classmethod
    def from_config(cls, name: str, values: dict) -> "EmailChannel":
        to = tuple(a.strip() for a in values["TO"].split(",") if a.strip())
        return cls(name=name, to=to, from_email=values.get("FROM") or "")

    def describe(self) -> dict:
        domains = sorted({a.rpartition("@")[2] for a in self.to})
        return {
            "name": self.name,
            "kind": self.kind,
            "target": f"{len(self.to)} recipient(s) at {', '.join(domains)}",
        }

    def email(self, message: Message, connection=None) -> EmailMultiAlternatives:
        headers = {
            "X-ControlTower-Fingerprint": message.fingerprint,
            "X-ControlTower-Idempotency-Key": message.idempotency_key,
            "In-Reply-To": thread_id(message),
            "References": thread_id(message),
        }
        mail = EmailMultiAlternatives(
            subject(message),
            plain(message),
            self.from_email or settings.DEFAULT_FROM_EMAIL,
            list(self.to),
            headers=headers,
            connection=connection,
        )
        mail.attach_alternative(html(message), "text/html")
        return mail

    def deliver(self, message: Message) -> Delivery:
        connection = get_connection(timeout=settings.CT_ALERT_TIMEOUT_S)
        mail = self.email(message, connection)
        error = None
        try:
            mail.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = DeliveryError(
                f"SMTP refused every recipient ({codes})", retryable=all(c < 500 for c in codes)
            )
        except smtplib.SMTPResponseException as exc:
            said = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            said = http.redact(" ".join(said.split())[:200], (settings.EMAIL_HOST_PASSWORD,))
            error = DeliveryError(
                f"SMTP {exc.smtp_code} from {settings.EMAIL_HOST}: {said}", retryable=exc.smtp_code < 500
            )
        except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, dropped
            error = DeliveryError(f"{type(exc).__name__} talking to {settings.EMAIL_HOST}", retryable=True)
        if error is not None:
            log.warning(
                "alert channel %s (email): %s (retryable=%s)", self.name, error.detail, error.retryable
            )
            raise error
        log.info("alert channel %s (email): sent to %d recipient(s)", self.name, len(self.to))
        return Delivery(
            detail=f"sent to {len(self.to)} recipient(s)",
            payload={"subject": mail.subject, "to": list(self.to)},
        )
