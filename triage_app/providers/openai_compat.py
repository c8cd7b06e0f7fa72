"""Any OpenAI-compatible chat-completions endpoint: OpenAI itself, or a self-hosted model behind
vLLM, Ollama or llama.cpp server (OPENAI_BASE_URL, e.g. http://localhost:11434/v1)."""

from django.conf import settings

from . import _openai, host_of
from .base import Completion, Provider

NO_KEY = "not-needed"  # local servers ignore the key, but the SDK requires one


class OpenAICompatibleProvider(Provider):
    name = "openai"
    required_settings = ("OPENAI_MODEL",)

    @classmethod
    def missing_settings(cls) -> list[str]:
        missing = super().missing_settings()
        if not (settings.OPENAI_BASE_URL or settings.OPENAI_API_KEY):
            missing.append("OPENAI_BASE_URL or OPENAI_API_KEY")
        return missing

    @classmethod
    def describe(cls) -> dict:
        return {
            "model": settings.OPENAI_MODEL or None,
            "endpoint": host_of(settings.OPENAI_BASE_URL) or "https://api.openai.com",
            "api_key_set": bool(settings.OPENAI_API_KEY),
        }

    @property
    def model(self) -> str:
        return settings.OPENAI_MODEL

    def complete(self, system: str, user: str) -> Completion:
        import openai

        client = openai.OpenAI(
            base_url=settings.OPENAI_BASE_URL or None,
            api_key=settings.OPENAI_API_KEY or NO_KEY,
            timeout=settings.ASSISTED_TIMEOUT_S,
            max_retries=0,
        )
        return _openai.chat(client, self.model, system, user)
