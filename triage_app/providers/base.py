"""The provider interface: one chat call in, text and token counts out, errors classified."""

from dataclasses import dataclass

# Error classes worth another try: throttling, 5xx and timeouts. Everything else fails fast.
RETRYABLE = frozenset({"throttled", "server_error", "timeout"})


@dataclass
class Completion:
    text: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None


class ProviderError(Exception):
    """A failed assisted call, classified (`throttled`, `server_error`, `timeout`, `auth_error`,
    `bad_request`, `connection_error`, `malformed_output`, `not_configured`, ...). The message is
    for logs and warnings; it never carries credentials."""

    def __init__(self, error_class: str, message: str, *, status: int | None = None):
        super().__init__(message)
        self.error_class = error_class
        self.status = status

    @property
    def retryable(self) -> bool:
        return self.error_class in RETRYABLE


class Provider:
    """Subclasses set `name`, list their required settings and implement `complete`. SDKs are
    imported inside methods so that selecting one provider never imports the others."""

    name = ""
    required_settings: tuple[str, ...] = ()

    @classmethod
    def missing_settings(cls) -> list[str]:
        from django.conf import settings

        return [s for s in cls.required_settings if not getattr(settings, s, "")]

    @classmethod
    def missing(cls) -> list[str]:
        """What keeps the provider from answering now: its missing settings and, for a provider that
        needs them, credentials the environment lacks. System checks look at settings only."""
        return cls.missing_settings()

    @classmethod
    def describe(cls) -> dict:
        """Non-secret configuration for the status endpoint."""
        return {}

    @property
    def model(self) -> str:
        return ""

    def complete(self, system: str, user: str) -> Completion:
        raise NotImplementedError
