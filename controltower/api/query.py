"""Query strings, declared once: a view's parameters are a Serializer of the fields below. The same
class validates the query string (`parse_query`) and documents it (`@extend_schema(parameters=[...])`
explodes it into query parameters), so a name, bound, default or choice cannot drift between them.

Each field states its OpenAPI schema exactly (bounds, enum, maxLength, pattern) and refuses a value
with the API's one message shape; `parse_query` turns the first refusal into
ApiError(400, "invalid_parameter", message, {"parameter": name, ...bounds or choices})."""

import math
import re

import django_filters
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from .errors import ApiError
from .schema import NO_NUL

INTEGER = re.compile(r"-?[0-9]{1,18}")  # ASCII digits only: int() would also take " 7", "1_0" and "٧"
NUMBER = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?([eE][-+]?[0-9]{1,3})?")
TRUE, FALSE = ("true", "1"), ("false", "0")
FLAG_SCHEMA = {"type": "string", "enum": ["true", "false", "1", "0"]}  # the one flag vocabulary
MAX_TEXT = 200
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class QueryField(serializers.Field):
    """One query parameter: `schema` is what the OpenAPI schema says of it. Absent, it is `default`
    (None unless given: then the schema states it); `required` ones have no default."""

    def __init__(self, schema: dict, *, help_text: str | None = None, default=None, required: bool = False):
        kwargs = {"required": True} if required else {"default": default}
        super().__init__(help_text=help_text, **kwargs)
        set_override(self, "field", schema)

    def details(self) -> dict:
        """What a refusal's details carry besides the parameter's name."""
        return {}

    def required_message(self) -> str:
        return f"'{self.field_name}' is required."

    def refuse(self, message: str):
        raise serializers.ValidationError(f"'{self.field_name}' {message}")

    def to_representation(self, value):
        return value


def _bounds(kind: str, minimum, maximum) -> dict:
    schema = {"type": kind}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


class IntegerQuery(QueryField):
    """An integer written in ASCII digits (no sign but `-`, no spaces, no `_`), within the bounds."""

    kind, pattern, parse, noun = "integer", INTEGER, int, "an integer"

    def __init__(self, minimum=None, maximum=None, **kw):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(_bounds(self.kind, minimum, maximum), **kw)

    def details(self) -> dict:
        return {"minimum": self.minimum, "maximum": self.maximum}

    def to_internal_value(self, raw):
        value = self.parse(raw) if isinstance(raw, str) and self.pattern.fullmatch(raw) else None
        if value is not None and not math.isfinite(value):
            value = None
        if (
            value is None
            or (self.minimum is not None and value < self.minimum)
            or (self.maximum is not None and value > self.maximum)
        ):
            both = self.minimum is not None and self.maximum is not None
            bounds = f" between {self.minimum} and {self.maximum}" if both else ""
            self.refuse(f"must be {self.noun}{bounds}; got {str(raw)[:40]!r}.")
        return value


class NumberQuery(IntegerQuery):
    """A decimal number (optionally with an exponent), finite, within the bounds."""

    kind, pattern, parse, noun = "number", NUMBER, float, "a number"


class ChoiceQuery(QueryField):
    """One of `choices` (exactly as written)."""

    def __init__(self, choices, **kw):
        self.choices = tuple(str(c) for c in choices)
        super().__init__({"type": "string", "enum": sorted(self.choices)}, **kw)

    def details(self) -> dict:
        return {"choices": list(self.choices)}

    def required_message(self) -> str:
        return f"'{self.field_name}' is required: one of {', '.join(self.choices)}."

    def to_internal_value(self, raw):
        if raw not in self.choices:
            self.refuse(f"must be one of {', '.join(self.choices)}; got {str(raw)[:40]!r}.")
        return raw


class FlagQuery(ChoiceQuery):
    """A yes/no switch: true or 1, false or 0 (the whole API's one vocabulary)."""

    def __init__(self, **kw):
        super().__init__(FLAG_SCHEMA["enum"], **kw)
        set_override(self, "field", dict(FLAG_SCHEMA, enum=list(FLAG_SCHEMA["enum"])))

    def to_internal_value(self, raw):
        return super().to_internal_value(raw) in TRUE

    def to_representation(self, value):
        return "true" if value else "false"


class TextQuery(QueryField):
    """Free text, trimmed; at most `max_length` characters; empty means absent (None)."""

    def __init__(self, max_length: int = MAX_TEXT, **kw):
        self.max_length = max_length
        super().__init__({"type": "string", "maxLength": max_length, "pattern": r"^[^\x00]*$"}, **kw)

    def to_internal_value(self, raw):
        text = str(raw).strip()
        if len(text) > self.max_length:
            self.refuse(f"is longer than {self.max_length} characters.")
        if "\x00" in text:  # no id or name holds one, and PostgreSQL refuses it in text
            self.refuse("contains a NUL character.")
        return text or None


class IdListQuery(QueryField):
    """Comma-separated ids (trimmed, repeats dropped): at most `max_items` of at most `max_length`
    characters; none means absent (None)."""

    def __init__(self, max_items: int, max_length: int = MAX_TEXT, **kw):
        self.max_items, self.max_length = max_items, max_length
        one = rf"[^,\x00]{{0,{max_length}}}"
        super().__init__({"type": "string", "pattern": f"^{one}(,{one}){{0,{max_items - 1}}}$"}, **kw)

    def to_internal_value(self, raw):
        if "\x00" in str(raw):
            self.refuse("contains a NUL character.")
        ids = list(dict.fromkeys(i.strip() for i in str(raw).split(",") if i.strip()))
        if len(ids) > self.max_items or any(len(i) > self.max_length for i in ids):
            self.refuse(f"takes at most {self.max_items} ids of at most {self.max_length} characters.")
        return ids or None


class PageQuery(serializers.Serializer):
    """offset / limit of a list (the answer's envelope: `page`)."""

    offset = IntegerQuery(0, MAX_OFFSET, default=0, help_text="items to skip")
    limit = IntegerQuery(1, MAX_LIMIT, default=DEFAULT_LIMIT, help_text="page size")


def parse_query(request: Request, query: type[serializers.Serializer]) -> dict:
    """The query string as `query` declares it: each declared parameter once (given twice, which one
    wins would differ between this code, proxies and the control tier's forwarding), each valid."""
    fields = query().fields
    refuse_repeats(request, fields)
    given = {name: values for name, values in request.query_params.lists() if name in fields}
    serializer = query(data={name: values[0] for name, values in given.items()})
    if serializer.is_valid():
        return dict(serializer.validated_data)
    name, errors = next(iter(serializer.errors.items()))
    field, error = serializer.fields.get(name), errors[0]
    if not isinstance(field, QueryField):
        raise ApiError(400, "invalid_parameter", f"'{name}': {error}", {"parameter": name})
    message = field.required_message() if error.code == "required" else str(error)
    raise ApiError(400, "invalid_parameter", message, {"parameter": name, **field.details()})


def refuse_repeats(request: Request, names) -> None:
    """A declared parameter given twice is refused (see parse_query)."""
    for name in names:
        values = request.query_params.getlist(name)
        if len(values) > 1:
            raise ApiError(
                400,
                "invalid_parameter",
                f"'{name}' was given {len(values)} times; give it once.",
                {"parameter": name},
            )


FILTER_SCHEMAS = {
    django_filters.IsoDateTimeFilter: {"type": "string", "format": "date-time"},
    django_filters.CharFilter: {"type": "string", "pattern": NO_NUL},  # form fields refuse NUL
}


def filterset_parameters(filterset_class) -> list[OpenApiParameter]:
    """A django-filter FilterSet's filters as the schema's query parameters (for an APIView, which
    drf-spectacular's own filter introspection does not reach): declared once, on the FilterSet."""
    out = []
    for name, flt in filterset_class.base_filters.items():
        if isinstance(flt, django_filters.ChoiceFilter):
            schema = {"type": "string", "enum": sorted(str(value) for value, _ in flt.extra["choices"])}
        else:
            schema = next(s for kind, s in FILTER_SCHEMAS.items() if isinstance(flt, kind))
        out.append(OpenApiParameter(name, dict(schema), description=flt.label or None))
    return out


def filtered(filterset_class, request: Request, queryset):
    """`queryset` filtered by a django-filter FilterSet from the query string, with the rules
    parse_query applies: each filter given once, and a typed one (a choice, a date-time) not blank
    (django-filter would skip it, where the schema says it must be a value)."""
    refuse_repeats(request, filterset_class.base_filters)
    for name, flt in filterset_class.base_filters.items():
        typed = not isinstance(flt, django_filters.CharFilter)  # a choice or a date-time
        if typed and name in request.query_params and not request.query_params[name].strip():
            raise ApiError(
                400,
                "invalid_parameter",
                f"'{name}' is blank; give a value or leave it out.",
                {"parameter": name},
            )
    filterset = filterset_class(request.query_params, queryset=queryset)
    if not filterset.is_valid():
        name, errors = next(iter(filterset.errors.items()))
        raise ApiError(400, "invalid_parameter", f"'{name}': {errors[0]}", {"parameter": name})
    return filterset.qs


def page(items: list, total: int, offset: int, limit: int, **extra) -> dict:
    """A list's envelope."""
    return {"items": items, "total": total, "offset": offset, "limit": limit, **extra}
