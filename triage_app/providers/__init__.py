"""Assisted-triage providers, by name -> dotted path (imported only when used).

`ASSISTED_TRIAGE_PROVIDER`: `bedrock` (the default), `azure_openai`, `openai` (any OpenAI-compatible
endpoint: OpenAI, vLLM, Ollama, llama.cpp server...), or `auto`: Azure OpenAI when its settings are
complete, else Bedrock. The OpenAI-compatible provider is used only when named."""

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
AUTO_PREFERRED, AUTO_OTHERWISE = "azure_openai", "bedrock"
CHOICES = (*PROVIDERS, AUTO)


def provider_class(name: str) -> type[Provider]:
    return import_string(PROVIDERS[name])


def requested() -> str:
    return (settings.ASSISTED_TRIAGE_PROVIDER or "").strip().lower()


def selected_name() -> str | None:
    """The provider assisted mode uses, or None when ASSISTED_TRIAGE_PROVIDER names none."""
    choice = requested()
    if choice == AUTO:
        return AUTO_PREFERRED if not provider_class(AUTO_PREFERRED).missing() else AUTO_OTHERWISE
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
