"""The OpenAPI schema says what the server does: who may call an operation, what it refuses, which errors.

drf-spectacular reads serializers and filters; this schema class adds what it cannot see: that the
permission classes let anonymous callers read (`security` then includes `{}`), the error answers each
operation can give (one shared `Error` body), and the emptiness the server refuses (`minItems`,
`minLength` on query parameters).
"""

from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers

from api.filters import ID_RANGE
from api.throttling import AnonThrottle

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused: `detail` for the request as a whole, or a list of "
    "messages per field (a nested field gives a nested object or a list of them).",
    "properties": {
        "detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    },
    "additionalProperties": {},
}
ERRORS = {
    "400": "Invalid input: messages per field.",
    "401": "Missing, invalid or revoked token.",
    "403": "Signed in, but not allowed (not a curator, or a session without its CSRF token).",
    "404": "Unknown slug or id, or a page past the last.",
    "406": "A `format` (in the URL or the `Accept` header) this endpoint does not have.",
    "413": "The request body is too large.",
    "429": "Too many requests; `Retry-After` gives the seconds to wait.",
}


def anonymous_allowed(view: Any, method: str) -> bool:
    """Whether the view's own permission classes let an anonymous caller make this request."""
    request = SimpleNamespace(method=method.upper(), user=AnonymousUser(), auth=None)
    return all(permission.has_permission(request, view) for permission in view.get_permissions())


def _error_codes(operation: dict[str, Any], view: Any, method: str) -> list[str]:
    """The error statuses this operation can answer, from its parameters, body, callers and throttles."""
    params = operation.get("parameters", [])
    query = [p for p in params if p["in"] == "query"]
    public = anonymous_allowed(view, method)
    codes = ["401"]
    if query or "requestBody" in operation or any(p["in"] == "path" for p in params):
        codes.append("400")  # an id in the path past the id columns' range is a 400 too
    if method not in permissions.SAFE_METHODS or not public:
        codes.append("403")
    if any(p["in"] == "path" or p["name"] == "page" for p in params):
        codes.append("404")
    codes.append("406")  # any request may name a format, with ?format= or Accept
    if "requestBody" in operation:
        codes.append("413")
    throttles = view.get_throttles()
    if any(not isinstance(t, AnonThrottle) for t in throttles) or (public and throttles):
        codes.append("429")
    return codes


def _refuse_empty(param: dict[str, Any]) -> None:
    """Query strings cannot be empty: the API answers `name=` with a 400 (see api.filters)."""
    schema = param.get("schema", {})
    if schema.get("type") == "array":
        schema.setdefault("minItems", 1)
        schema = schema.get("items", {})
    if schema.get("type") == "string" and "enum" not in schema:
        schema.setdefault("minLength", 1)


class RecordAutoSchema(AutoSchema):
    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        if {} not in auths and anonymous_allowed(self.view, self.method):
            auths.append({})
        return auths

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for param in operation.get("parameters", []):
            if param["in"] == "query":
                _refuse_empty(param)
            elif param["in"] == "path" and param.get("schema", {}).get("type") == "integer":
                # Ids live in bigint columns: the server refuses (400) what they cannot hold.
                param["schema"].update(minimum=ID_RANGE["min_value"], maximum=ID_RANGE["max_value"])
        self.registry.register_on_missing(
            ResolvedComponent(
                name=ERROR_COMPONENT,
                type=ResolvedComponent.SCHEMA,
                object=ERROR_COMPONENT,
                schema=ERROR_SCHEMA,
            )
        )
        body = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
        responses = operation["responses"]
        for code in _error_codes(operation, self.view, self.method):
            responses.setdefault(code, {"description": ERRORS[code]})
        for code, response in responses.items():
            if code.startswith("4"):
                response.setdefault("description", ERRORS.get(code, ""))
                response["content"] = body
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and isinstance(field, serializers.CharField) and field.min_length is None:
            schema.pop("minLength", None)  # non-blank is a rule for input; answers may carry ""
        if isinstance(field, serializers.RelatedField) and field.allow_null:
            schema.pop("minLength", None)  # DRF takes "" for null on a nullable relation
        # spectacular reads `min_length` of a ListField (a validator) but not of a nested list of serializers.
        if isinstance(field, serializers.ListSerializer) and schema.get("type") == "array":
            least = max(field.min_length or 0, 0 if field.allow_empty else 1)
            if least:
                schema["minItems"] = least
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema
