"""How the OpenAPI schema documents token authentication: as an HTTP bearer scheme, which
TokenOrBearerAuthentication accepts, so Swagger UI's Authorize box takes the bare token and sends
`Authorization: Bearer <token>` (drf-spectacular's default for DRF tokens asks people to type
`Token ` before it). Clients may send either keyword."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


class TokenOrBearerScheme(OpenApiAuthenticationExtension):
    target_class = "controltower.api.auth.TokenOrBearerAuthentication"
    name = "tokenAuth"  # the name drf-spectacular gives DRF tokens: operations' `security` keep it

    def get_security_definition(self, auto_schema):
        return {
            **build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer"),
            "description": "An API token (manage.py ct_user), sent as `Bearer <token>` or `Token <token>`.",
        }
