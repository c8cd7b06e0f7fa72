"""Assisted-triage providers, by name -> dotted path (imported only when used).

`ASSISTED_TRIAGE_PROVIDER`: "" (off), `bedrock`, `azure_openai`, `openai` (any OpenAI-compatible
endpoint: OpenAI, vLLM, Ollama, llama.cpp server...), or `auto` — the first configured of
AUTO_ORDER."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Completion, Provider, ProviderError

PROVIDERS = {
    "bedrock": "triage_app.providers.bedrock.BedrockProvider",
    "azure_openai": "triage_app.providers.azure_openai.AzureOpenAIProvider",
    "openai": "triage_app.providers.openai_compat.OpenAICompatibleProvider",
}
AUTO = "auto"
AUTO_ORDER = ("azure_openai", "openai", "bedrock")
CHOICES = ("", AUTO, *PROVIDERS)


def provider_class(name: str) -> type[Provider]:
    return import_string(PROVIDERS[name])


def requested() -> str:
    return (settings.ASSISTED_TRIAGE_PROVIDER or "").strip().lower()


def selected_name() -> str | None:
    """The provider assisted mode would use now, or None (off, unknown, or `auto` with none configured)."""
    choice = requested()
    if choice == AUTO:
        return next((n for n in AUTO_ORDER if not provider_class(n).missing_settings()), None)
    return choice if choice in PROVIDERS else None


def build(name: str) -> Provider:
    return provider_class(name)()


def host_of(url: str) -> str | None:
    """scheme://host[:port] of a URL: never its path, query or user info (which can hold keys)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


__all__ = ["Completion", "Provider", "ProviderError", "PROVIDERS", "selected_name", "build", "provider_class"]
