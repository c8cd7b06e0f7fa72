"""What the OpenAI and Azure OpenAI providers share: the chat call and error classification.
The SDK's own retries are off (max_retries=0): triage_app.assisted retries, with its own policy."""

from .base import Completion, ProviderError

MAX_TOKENS = 1500


def classify(exc: Exception) -> ProviderError:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("timeout", "The provider did not answer in time.")
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError("connection_error", "The provider endpoint could not be reached.")
    if isinstance(exc, openai.APIResponseValidationError):
        return ProviderError("malformed_output", "The provider's response did not follow the protocol.")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status == 429:
            error_class = "throttled"
        elif status >= 500:
            error_class = "server_error"
        elif status in (401, 403):
            error_class = "auth_error"
        elif status in (400, 404, 422):
            error_class = "bad_request"
        else:
            error_class = f"http_{status}"
        return ProviderError(error_class, f"The provider answered HTTP {status}.", status=status)
    return ProviderError("provider_error", f"{type(exc).__name__} from the provider SDK.")


def chat(client, model: str, system: str, user: str) -> Completion:
    import openai

    try:
        response = client.chat.completions.create(
            model=model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            temperature=0,
            max_tokens=MAX_TOKENS,
        )
    except openai.OpenAIError as exc:
        raise classify(exc) from exc
    try:
        text = response.choices[0].message.content or ""
    except (AttributeError, IndexError, TypeError) as exc:
        raise ProviderError("malformed_output", "The provider's response had no message.") from exc
    usage = getattr(response, "usage", None)
    return Completion(
        text=text,
        model=getattr(response, "model", None) or model,
        input_tokens=getattr(usage, "prompt_tokens", None),
        output_tokens=getattr(usage, "completion_tokens", None),
    )
