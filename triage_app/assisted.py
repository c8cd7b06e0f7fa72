"""Assisted mode: ask the configured provider to improve the deterministic answer, keep only what
cites facts, and fall back (ASSISTED_FAILURE_POLICY=fallback) or fail with 503 (strict).

Retries: tenacity, exponential backoff with jitter from ASSISTED_RETRY_BASE_MS, at most
ASSISTED_RETRY_MAX_ATTEMPTS calls, and only for throttling, 5xx and timeouts. Every answer —
success, fallback or failure — is recorded as one AssistedAttempt."""

import copy
import logging
import time

from django.conf import settings
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from controltower.api.errors import ApiError
from controltower.middleware import current_request_id

from . import prompt, providers
from .choices import AttemptStatus, FailurePolicy, assisted_engine
from .context import Context
from .models import AssistedAttempt
from .providers import Completion, Provider, ProviderError

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 10.0


def _retrying() -> Retrying:
    base_s = max(settings.ASSISTED_RETRY_BASE_MS, 0) / 1000
    return Retrying(
        stop=stop_after_attempt(max(settings.ASSISTED_RETRY_MAX_ATTEMPTS, 1)),
        wait=wait_exponential_jitter(multiplier=base_s, max=MAX_BACKOFF_S, jitter=base_s),
        retry=retry_if_exception(lambda exc: isinstance(exc, ProviderError) and exc.retryable),
        reraise=True,
    )


def call(provider: Provider, system: str, user: str) -> tuple[Completion | None, int, ProviderError | None]:
    """(completion, tries, error): the provider called with retries."""
    retrying = _retrying()
    try:
        completion = retrying(provider.complete, system, user)
        return completion, retrying.statistics.get("attempt_number", 1), None
    except ProviderError as exc:
        return None, retrying.statistics.get("attempt_number", 1), exc


def _record(ctx: Context, provider: str, model: str, status: str, **fields) -> None:
    AssistedAttempt.objects.create(
        provider=provider,
        model=model or "",
        status=status,
        run_id=(ctx.run or {}).get("run_id", "")[:200],
        pipeline_id=ctx.pipeline_id[:200],
        request_id=(current_request_id.get() or "")[:128],
        **fields,
    )


def _fail(
    answer: dict,
    ctx: Context,
    name: str,
    model: str,
    error: ProviderError,
    tries: int,
    started: float,
    completion: Completion | None = None,
) -> dict:
    strict = settings.ASSISTED_FAILURE_POLICY == FailurePolicy.STRICT
    status = AttemptStatus.FAILED if strict else AttemptStatus.FALLBACK
    latency = int((time.monotonic() - started) * 1000)
    tokens = {
        "input_tokens": completion.input_tokens if completion else None,
        "output_tokens": completion.output_tokens if completion else None,
    }
    _record(
        ctx, name, model, status, error_class=error.error_class, tries=tries, latency_ms=latency, **tokens
    )
    log.warning(
        "assisted triage via %s failed: %s after %d tries (%s)", name, error.error_class, tries, status
    )
    details = {"provider": name, "error_class": error.error_class, "tries": tries}
    if strict:
        raise ApiError(
            503,
            "assisted_mode_failed",
            f"Assisted triage failed ({name}: {error}); policy is strict.",
            details,
        )
    out = copy.deepcopy(answer)
    out["degraded"] = True
    out["warnings"].append(
        f"Assisted mode failed ({name}: {error.error_class}); the deterministic answer is returned."
    )
    out["evidence"]["assisted"] = {
        **details,
        "model": model or None,
        "status": str(status),
        "fallback_used": True,
        "latency_ms": latency,
        "message": str(error),
    }
    return out


def _merge(
    answer: dict, ctx: Context, parsed: prompt.Parsed, name: str, completion: Completion, tries, latency
) -> dict:
    out = copy.deepcopy(answer)
    deterministic = {k: answer[k] for k in ("summary", "likely_cause", "next_actions")}
    for key in ("summary", "likely_cause"):
        stmt = parsed.first(key)
        if stmt:
            out[key] = stmt.text
    actions = parsed.all("next_actions")
    if actions:
        out["next_actions"] = [s.text for s in actions]
    out["mode"] = assisted_engine(name)
    out["confidence_reason"] += f" Assisted answer by {name} keeps {len(parsed.kept)} cited statement(s)."
    if parsed.dropped:
        out["warnings"].append(
            f"{len(parsed.dropped)} statement(s) from the model were dropped: no known fact cited, or "
            "naming what the cited facts do not hold."
        )
    replaced = {s.field for s in parsed.kept}
    kept_rules = [st for st in answer["evidence"]["statements"] if st["field"] not in replaced]
    out["evidence"]["statements"] = kept_rules + [{**vars(s), "origin": "model"} for s in parsed.kept]
    out["evidence"]["deterministic"] = deterministic
    out["evidence"]["assisted"] = {
        "provider": name,
        "model": completion.model,
        "status": str(AttemptStatus.SUCCESS),
        "fallback_used": False,
        "tries": tries,
        "latency_ms": latency,
        "input_tokens": completion.input_tokens,
        "output_tokens": completion.output_tokens,
        "dropped_statements": parsed.dropped,
    }
    return out


def _subject(ctx: Context) -> str:
    """The run and pipeline being triaged: a statement may always name them."""
    pipeline, run = ctx.pipeline or {}, ctx.run or {}
    return " ".join(str(v) for v in (ctx.pipeline_id, pipeline.get("pipeline_name"), run.get("run_id")) if v)


def enrich(answer: dict, ctx: Context, provider: Provider | None = None) -> dict:
    """The assisted answer, or per policy the deterministic one marked degraded / a 503."""
    started = time.monotonic()
    name = provider.name if provider else providers.selected_name()
    if name is None:
        error = ProviderError(
            "not_configured", "ASSISTED_TRIAGE_PROVIDER names no provider (see the system checks)."
        )
        return _fail(answer, ctx, "none", "", error, 0, started)
    if provider is None:
        missing = providers.provider_class(name).missing()
        if missing:
            error = ProviderError(
                "not_configured", f"Provider {name} is not configured; missing: {', '.join(missing)}."
            )
            return _fail(answer, ctx, name, "", error, 0, started)
        provider = providers.build(name)
    user = prompt.user_message(answer, ctx.facts.used(), ctx.request.user_prompt)
    completion, tries, error = call(provider, prompt.SYSTEM, user)
    parsed = None
    if completion is not None:
        try:
            parsed = prompt.parse(completion.text, ctx.facts.texts(), _subject(ctx))
        except ProviderError as exc:
            error = exc
        if parsed is not None and not parsed.kept:
            parsed, error = (
                None,
                ProviderError("uncited_output", "No statement from the model cited a known fact."),
            )
    if parsed is None:
        return _fail(answer, ctx, name, provider.model, error, tries, started, completion)
    latency = int((time.monotonic() - started) * 1000)
    _record(
        ctx,
        name,
        completion.model,
        AttemptStatus.SUCCESS,
        tries=tries,
        latency_ms=latency,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        cited_statements=len(parsed.kept),
        dropped_statements=len(parsed.dropped),
    )
    return _merge(answer, ctx, parsed, name, completion, tries, latency)
