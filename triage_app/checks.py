"""Assisted-triage configuration mistakes as system checks (ids triage.E001...)."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import providers
from .choices import FailurePolicy


@register()
def check_assisted(app_configs=None, **kwargs):
    problems = []
    choice = providers.requested()
    if choice not in providers.CHOICES:
        problems.append(
            Error(
                f"ASSISTED_TRIAGE_PROVIDER={choice!r} is not a provider.",
                hint=f"Use one of {', '.join(c for c in providers.CHOICES if c)}, or leave it empty (off).",
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
    if choice in providers.PROVIDERS and (missing := providers.provider_class(choice).missing_settings()):
        problems.append(
            Warning(
                f"ASSISTED_TRIAGE_PROVIDER={choice} but {', '.join(missing)} not set: "
                "assisted mode will fall back.",
                hint="Set the provider's settings (deploy/.env.example, assisted triage section).",
                id="triage.W001",
            )
        )
    elif choice == providers.AUTO and providers.selected_name() is None:
        problems.append(
            Warning(
                "ASSISTED_TRIAGE_PROVIDER=auto but no provider is configured: assisted mode will fall back.",
                hint="Configure Azure OpenAI, an OpenAI-compatible endpoint or Bedrock.",
                id="triage.W002",
            )
        )
    return problems
