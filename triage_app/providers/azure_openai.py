"""Azure OpenAI through the openai SDK's AzureOpenAI client (key auth; the deployment is the model)."""

from django.conf import settings

from . import _openai, host_of
from .base import Completion, Provider


class AzureOpenAIProvider(Provider):
    name = "azure_openai"
    required_settings = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT")

    @classmethod
    def describe(cls) -> dict:
        return {
            "deployment": settings.AZURE_OPENAI_DEPLOYMENT or None,
            "endpoint": host_of(settings.AZURE_OPENAI_ENDPOINT),
            "api_version": settings.AZURE_OPENAI_API_VERSION,
            "api_key_set": bool(settings.AZURE_OPENAI_API_KEY),
        }

    @property
    def model(self) -> str:
        return settings.AZURE_OPENAI_DEPLOYMENT

    def complete(self, system: str, user: str) -> Completion:
        import openai

        client = openai.AzureOpenAI(
            azure_endpoint=settings.AZURE_OPENAI_ENDPOINT,
            api_key=settings.AZURE_OPENAI_API_KEY,
            api_version=settings.AZURE_OPENAI_API_VERSION,
            azure_deployment=settings.AZURE_OPENAI_DEPLOYMENT,
            timeout=settings.ASSISTED_TIMEOUT_S,
            max_retries=0,
        )
        return _openai.chat(client, self.model, system, user)
