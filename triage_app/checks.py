"""Assisted-triage configuration mistakes as system checks (ids triage.E001...). They read settings
only: whether AWS credentials exist is the environment's business, reported by the provider status."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import providers
from .choices import FailurePolicy
from .providers.bedrock import speaks_anthropic


@register()
def check_assisted(app_configs=None, **kwargs):
    problems = []
    choice = providers.requested()
    if choice not in providers.CHOICES:
        problems.append(
            Error(
                f"ASSISTED_TRIAGE_PROVIDER={choice!r} is not a provider.",
                hint=f"Use one of {', '.join(providers.CHOICES)}, or leave it empty (bedrock).",
                id="triage.E001",
            )
        )
    if settings.ASSISTED_FAILURE_POLICY not in FailurePolicy.values:
        problems.append(
            Error(
                f"ASSISTED_FAILURE_POLICY={settings.ASSISTED_FAILURE_POLICY!r} is not a policy.",
                hint="Use fallback or strict.",
                id="triage.E002",
            )
        )
    if settings.ASSISTED_RETRY_MAX_ATTEMPTS < 1 or settings.ASSISTED_RETRY_BASE_MS < 0:
        problems.append(
            Error(
                "ASSISTED_RETRY_MAX_ATTEMPTS must be >= 1 and ASSISTED_RETRY_BASE_MS >= 0.",
                hint="The defaults are 4 and 300.",
                id="triage.E003",
            )
        )
    problems += _provider_settings(choice)
    model = settings.BEDROCK_MODEL_ID
    if model and not speaks_anthropic(model):
        problems.append(
            Warning(
                f"BEDROCK_MODEL_ID={model!r} is not an Anthropic model: Bedrock calls will fail and "
                "assisted mode will fall back.",
                hint="The Bedrock provider speaks the Anthropic messages format: use an anthropic.… model "
                "id or a cross-region inference profile (us.anthropic.…, eu.anthropic.…, apac.anthropic.…, "
                "global.anthropic.…). An application inference profile's ARN cannot be told apart: "
                "silence triage.W003 if it routes to an Anthropic model.",
                id="triage.W003",
            )
        )
    return problems


def _provider_settings(choice: str) -> list:
    """The selected provider's settings (credentials are the environment's, not configuration)."""
    name = providers.selected_name()
    if name is None:
        return []
    problems = []
    if choice == providers.AUTO and name != providers.AUTO_PREFERRED:
        partial = providers.provider_class(providers.AUTO_PREFERRED).missing_settings()
        if len(partial) < len(providers.provider_class(providers.AUTO_PREFERRED).required_settings):
            problems.append(
                Warning(
                    f"ASSISTED_TRIAGE_PROVIDER=auto selects {name}: Azure OpenAI lacks {', '.join(partial)}.",
                    hint="Complete the AZURE_OPENAI_* settings, or unset them to use Bedrock on purpose.",
                    id="triage.W002",
                )
            )
    if missing := providers.provider_class(name).missing_settings():
        problems.append(
            Warning(
                f"ASSISTED_TRIAGE_PROVIDER={choice} selects {name} but {', '.join(missing)} not set: "
                "assisted mode will fall back.",
                hint="Set the provider's settings (deploy/.env.example, assisted triage section).",
                id="triage.W001",
            )
        )
    return problems
