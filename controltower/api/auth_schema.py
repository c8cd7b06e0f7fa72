"""How the schema describes the API token: an HTTP bearer scheme, so Swagger UI's Authorize box
takes the bare key (the API accepts `Bearer <key>` and `Token <key>`)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenOrBearerScheme(OpenApiAuthenticationExtension):
    target_class = "controltower.api.auth.TokenOrBearerAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token (`manage.py ct_user`): `Authorization: Bearer <key>` or `Token <key>`. "
                "In Swagger UI's Authorize box, paste the key alone: it adds `Bearer ` itself. "
                "A token scoped to `lineage:write` may only post OpenLineage events."
            ),
        }
