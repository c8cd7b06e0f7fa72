"""Amazon Bedrock (boto3 `bedrock-runtime` InvokeModel, Anthropic messages format). Credentials come
from the usual AWS chain (role, env, profile), looked up once per process (aws_credentials); region
BEDROCK_REGION -> AWS_REGION -> ap-southeast-2. BEDROCK_MODEL_ID is an Anthropic model id or
cross-region inference profile (`anthropic.…`, `us.anthropic.…`, `global.anthropic.…`)."""

import json
import re

from django.conf import settings

from . import aws_credentials
from .base import Completion, Provider, ProviderError

ANTHROPIC_VERSION = "bedrock-2023-05-31"
MAX_TOKENS = 1500
THROTTLED = {
    "ThrottlingException",
    "TooManyRequestsException",
    "ServiceQuotaExceededException",
    "ModelNotReadyException",
}
SERVER = {"InternalServerException", "ServiceUnavailableException", "ModelErrorException"}
TIMEOUT = {"ModelTimeoutException", "RequestTimeout", "RequestTimeoutException"}
AUTH = {"AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"}
CREDENTIALS = "AWS credentials"
# What speaks the Anthropic messages format: a model id, a geographic or global cross-region
# inference profile (us., eu., apac., au., jp., us-gov., global.), or the ARN of either.
ANTHROPIC_MODEL = re.compile(
    r"^(?:arn:aws[\w-]*:bedrock:[\w-]*:\d*:(?:foundation-model|inference-profile)/)?"  # an ARN, or not
    r"(?:[a-z]+(?:-[a-z]+)?\.)?"  # a cross-region profile's geography, or none
    r"anthropic\."
)


def speaks_anthropic(model_id: str) -> bool:
    return bool(ANTHROPIC_MODEL.match(model_id))


def classify_client_error(exc) -> ProviderError:
    code = exc.response.get("Error", {}).get("Code", "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in THROTTLED or status == 429:
        error_class = "throttled"
    elif code in TIMEOUT or status == 408:
        error_class = "timeout"
    elif code in SERVER or (status or 0) >= 500:
        error_class = "server_error"
    elif code in AUTH:
        error_class = "auth_error"
    else:
        error_class = "bad_request"
    return ProviderError(error_class, f"Bedrock answered {code or status}.", status=status)


class BedrockProvider(Provider):
    name = "bedrock"
    required_settings = ("BEDROCK_MODEL_ID",)

    def __init__(self, client=None):
        self._client = client

    @classmethod
    def missing(cls) -> list[str]:
        missing = cls.missing_settings()
        if not missing and (why := aws_credentials.missing()):
            missing.append(f"{CREDENTIALS} ({why})")
        return missing

    @classmethod
    def describe(cls) -> dict:
        return {"model": settings.BEDROCK_MODEL_ID or None, "region": settings.BEDROCK_REGION}

    @property
    def model(self) -> str:
        return settings.BEDROCK_MODEL_ID

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            timeout = settings.ASSISTED_TIMEOUT_S
            config = Config(
                retries={"total_max_attempts": 1, "mode": "standard"},
                read_timeout=timeout,
                connect_timeout=min(timeout, 10),
            )
            self._client = boto3.client("bedrock-runtime", region_name=settings.BEDROCK_REGION, config=config)
        return self._client

    def request_body(self, system: str, user: str) -> str:
        return json.dumps(
            {
                "anthropic_version": ANTHROPIC_VERSION,
                "max_tokens": MAX_TOKENS,
                "temperature": 0,
                "system": system,
                "messages": [{"role": "user", "content": [{"type": "text", "text": user}]}],
            }
        )

    def complete(self, system: str, user: str) -> Completion:
        from botocore import exceptions as bx

        try:
            response = self.client.invoke_model(
                modelId=self.model,
                body=self.request_body(system, user),
                contentType="application/json",
                accept="application/json",
            )
            payload = json.loads(response["body"].read())
        except bx.ClientError as exc:
            raise classify_client_error(exc) from exc
        except (bx.ReadTimeoutError, bx.ConnectTimeoutError) as exc:
            raise ProviderError("timeout", "Bedrock did not answer in time.") from exc
        except bx.NoCredentialsError as exc:
            raise ProviderError("auth_error", "No AWS credentials found for Bedrock.") from exc
        except bx.EndpointConnectionError as exc:
            raise ProviderError("connection_error", "The Bedrock endpoint could not be reached.") from exc
        except ValueError as exc:
            raise ProviderError("malformed_output", "Bedrock's response body was not JSON.") from exc
        blocks = payload.get("content") if isinstance(payload, dict) else None
        if not isinstance(blocks, list):
            raise ProviderError("malformed_output", "Bedrock's response had no content blocks.")
        usage = payload.get("usage") or {}
        return Completion(
            text="".join(
                b.get("text", "") for b in blocks if isinstance(b, dict) and b.get("type") == "text"
            ),
            model=self.model,
            input_tokens=usage.get("input_tokens"),
            output_tokens=usage.get("output_tokens"),
        )
