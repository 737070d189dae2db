"""OpenAPI generation: the document as client generators read it.

`AutoSchema` adds to every operation the error answers it can send and the
mobile request headers it takes. `postprocess_for_generators` then rewrites the
finished document the way Kotlin, Swift, Dart and TypeScript generators need it
(tests/api/test_schema_for_generators.py checks each rule):

- every property of a response component is required (the server always sends
  every field; "may be absent" is never true of our answers), nullable ones
  say `nullable: true`;
- no `title` on properties (generators name classes after them, and they were
  the models' Vietnamese verbose names);
- a URL that may be empty is one plain `string`, never a `oneOf` of two overlapping
  strings: `format: uri` in requests, a "URL or empty" pattern in answers (a strict
  validator asserts the format, and "" is no URI);
- every integer says `format: int64`;
- request bodies are JSON only, except `complete`, which is multipart first;
- the response headers a client reads are declared where they are sent
  (`ETag`, `X-Sync-Cursor`, `Idempotent-Replayed`, `Retry-After`);
- operations that need no token say `security: []`.
"""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from api.exceptions import ERROR_CODES

ERROR_CODE_CHOICES = [(code, code) for code in ERROR_CODES]
HISTORY_TYPES = [("created", "created"), ("changed", "changed"), ("deleted", "deleted")]


# "Error" is a reserved word in Swift and Dart: the generators would rename it with a warning.
@extend_schema_serializer(component_name="ApiError")
class ErrorSerializer(serializers.Serializer):
    """The one error body every 4xx and 5xx under /api/ uses."""

    status = serializers.IntegerField(help_text="The HTTP status of the answer.")
    code = serializers.ChoiceField(
        choices=ERROR_CODE_CHOICES,
        help_text="A short machine code: " + "; ".join(f"`{code}` {text}" for code, text in ERROR_CODES.items()),
    )
    detail = serializers.CharField(help_text="A sentence for people, in the language of Accept-Language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name (or `non_field_errors`) -> messages; empty when no field is at fault.",
    )


ERROR_DESCRIPTIONS = {
    "400": "Bad input; `errors` names each field (`code`: `invalid`, `parse_error`, `too_many_parts`).",
    "401": "No token, or a bad or expired one (`not_authenticated`, `token_not_valid`, "
           "`authentication_failed`).",
    "403": "The caller's role may not take this action on an object it can see (`permission_denied`).",
    "404": "Not found, or outside the caller's scope: the two are never told apart (`not_found`).",
    "409": "The object's current state does not allow this; or a request with the same "
           "Idempotency-Key is still running (`idempotency_key_in_progress`, with Retry-After).",
    "412": "If-Match does not name the object's current ETag: it changed since it was read "
           "(`precondition_failed`); nothing was written.",
    "413": "The request body is larger than the server takes (`request_too_large`).",
    "415": "The Content-Type is not one this operation reads (`unsupported_media_type`).",
    "422": "This Idempotency-Key was already used with a different request (`idempotency_key_reused`).",
    "429": "Too many requests (`throttled`); retry after Retry-After seconds.",
    "500": "An error on the server (`server_error`), in the same JSON shape; never an answer to bad input.",
    "503": "A dependency (database, cache) is down (`service_unavailable`); retry after Retry-After seconds.",
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="Optional, 1-255 printable ASCII characters without spaces (a UUID is a good choice). "
                "A retry with the same key and the same request gets the first response again (with "
                "`Idempotent-Replayed: true`) for 24 hours and has no second effect; the same key with "
                "another request is 422; a retry while the first is still running is 409. Keys of "
                "requests without a token (logging in, refreshing, logging out) are kept apart from "
                "every member's keys.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ETag of a copy the client holds: 304 with no body when it is still current.",
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ETag the client read: 412 if the object changed since (nothing is written).",
)
UPDATED_SINCE = OpenApiParameter(
    "updated_since", OpenApiTypes.DATETIME, OpenApiParameter.QUERY,
    description="Only rows changed at or after this moment, cancelled and finished ones included. "
                "Send the X-Sync-Cursor of the previous sync; rows may repeat, none is missed.",
)

HEADERS = {
    "ETag": {"description": "Identifies this representation (JSON answers); send it back in If-None-Match "
                            "(or If-Match on PATCH).",
             "schema": {"type": "string", "maxLength": 100}},
    "X-Sync-Cursor": {"description": "The cursor for the next delta sync: send it as `updated_since`.",
                      "schema": {"type": "string", "format": "date-time", "maxLength": 40}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored answer to an earlier request "
                                           "with the same Idempotency-Key.",
                            "schema": {"type": "string", "enum": ["true"]}},
    "Retry-After": {"description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 86400}},
}

# The one operation that takes a file: multipart first, JSON for a link-only report.
MULTIPART_OPERATIONS = {"assignments_complete_create"}


class AutoSchema(SpectacularAutoSchema):
    """Adds to every operation the errors and the mobile headers it can involve."""

    def _is_public(self):
        return any(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _has_if_match(self):
        from api.conditional import IfMatchMixin

        return self.method in ("PATCH", "PUT") and isinstance(self.view, IfMatchMixin)

    def _is_delta_list(self):
        from api.sync import DeltaSyncMixin

        return (self.method == "GET" and isinstance(self.view, DeltaSyncMixin)
                and getattr(self.view, "action", None) == "list")

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method == "POST":
            params.append(IDEMPOTENCY_KEY)
        if self.method == "GET":
            params.append(IF_NONE_MATCH)
        if self._has_if_match():
            params.append(IF_MATCH)
        if self._is_delta_list():
            params.append(UPDATED_SINCE)
        return params

    def _error_codes(self):
        # 401 everywhere: public endpoints (login, refresh, logout) refuse bad credentials or tokens too.
        codes = {"401", "429", "500", "503"}
        public = self._is_public()
        if not public:
            codes.add("403")
        if "{" in self.path or self._is_list_view():
            codes.add("404")  # lists: a page past the end
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            codes.add("400")
        if self.method == "GET" and not self._is_list_view():
            codes.add("400") if self.get_filter_backends() else None
        if self.method in ("POST", "PATCH", "PUT", "DELETE") and "{" in self.path:
            codes.add("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes |= {"413", "415"}
        if self.method == "POST":
            codes |= {"409", "422"}
        if self._has_if_match():
            codes.add("412")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._error_codes()):
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        if self._is_delta_list():
            ok = responses.get("200")
            if ok is not None:
                ok.setdefault("headers", {})["X-Sync-Cursor"] = HEADERS["X-Sync-Cursor"]
        return responses


# The finished document ----------------------------------------------------------

def _walk(node, visit):
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


# An answer's URL that is "" when there is none: a strict validator asserts `format: uri`, and ""
# is no URI, so answers say what they hold with a pattern (still one plain string for generators).
URL_OR_EMPTY = r"^$|^[A-Za-z][A-Za-z0-9+.-]*://"


def _url_one_of(node, response: bool):
    """`oneOf: [{string, format: uri}, {string, maxLength: 0}]` -> one plain string.

    In requests: `format: uri` (an empty string is accepted, as the description says). In
    answers: a pattern for "a URL or an empty string", which every validator reads alike.
    """
    options = node.get("oneOf")
    if not isinstance(options, list) or len(options) != 2:
        return
    uri = next((o for o in options if o.get("format") == "uri"), None)
    empty = next((o for o in options if o.get("maxLength") == 0 or o.get("enum") == [""]), None)
    if uri is None or empty is None:
        return
    del node["oneOf"]
    node.update(uri)
    if response:
        del node["format"]
        node["pattern"] = URL_OR_EMPTY
        note = "An absolute URL, or an empty string when there is none."
    else:
        note = "An http(s) URL, or an empty string for none."
    node["description"] = f"{node['description']} {note}" if node.get("description") else note


def _tidy_schema(node, response: bool = False):
    if "title" in node and isinstance(node.get("title"), str) and ("type" in node or "$ref" in node
                                                                  or "allOf" in node or "oneOf" in node):
        del node["title"]
    _url_one_of(node, response)
    if node.get("type") == "integer" and "format" not in node:
        node["format"] = "int64"


def _response_component(name: str) -> bool:
    return not name.endswith("Request")


def _operations(schema):
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def _typed_nullable_refs(node, schemas):
    """`allOf: [$ref], nullable: true` gets the referenced component's `type` beside it, the
    OpenAPI 3.0 way to say "this object (or enum), or null" that validators and generators read."""
    refs = node.get("allOf")
    if node.get("nullable") and "type" not in node and isinstance(refs, list) and len(refs) == 1:
        target = schemas.get(refs[0].get("$ref", "").rsplit("/", 1)[-1], {})
        if "type" in target:
            node["type"] = target["type"]


# Response properties sent only in some answers: a survey question's result carries
# `counts`, `mean` or `answers` by its kind, and none of them when it is suppressed.
OPTIONAL_RESPONSE_PROPERTIES = {"SurveyQuestionResult": {"counts", "mean", "answers", "answers_total"},
                                # Sections a higher app adds when it is installed (api.hooks.report_sections):
                                # surveys. `channels` is always there: reports reads publishing (below it)
                                # itself, so the report carries the list, empty for a subtree without channels.
                                "PeriodReport": {"surveys"}}


def postprocess_for_generators(result, generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    _walk(result, lambda node: _typed_nullable_refs(node, schemas))
    for name, component in schemas.items():
        response = _response_component(name)
        for prop in component.get("properties", {}).values():
            _walk(prop, lambda node: _tidy_schema(node, response))
        if _response_component(name) and component.get("type") == "object" and component.get("properties"):
            optional = OPTIONAL_RESPONSE_PROPERTIES.get(name, set())
            component["required"] = [key for key in component["properties"] if key not in optional]
    for _path, method, operation in _operations(result):
        _walk(operation.get("parameters", []), _tidy_schema)
        body = operation.get("requestBody", {}).get("content")
        if body:
            if operation["operationId"] in MULTIPART_OPERATIONS:
                ordered = {k: body[k] for k in ("multipart/form-data", "application/json") if k in body}
            else:
                ordered = {k: v for k, v in body.items() if k == "application/json"}
            operation["requestBody"]["content"] = ordered
        responses = operation.get("responses", {})
        for status, response in responses.items():
            headers = response.get("headers", {})
            if status in ("429", "503") or (status == "409" and method == "post"):
                headers["Retry-After"] = HEADERS["Retry-After"]
            if method == "post" and status.startswith("2"):
                headers["Idempotent-Replayed"] = HEADERS["Idempotent-Replayed"]
            if headers:
                response["headers"] = headers
        ok = responses.get("200")
        if method == "get" and ok and "application/json" in ok.get("content", {}):
            ok.setdefault("headers", {})["ETag"] = HEADERS["ETag"]
            responses.setdefault("304", {
                "description": "Not modified: the If-None-Match ETag is current; no body.",
                "headers": {"ETag": HEADERS["ETag"]},
            })
        elif method == "get":
            operation["parameters"] = [p for p in operation.get("parameters", [])
                                       if p.get("name") != "If-None-Match"]
        if not operation.get("security") or operation["security"] == [{}]:
            operation["security"] = []
    jwt = result.get("components", {}).get("securitySchemes", {}).get("jwtAuth")
    if jwt is not None:
        jwt["description"] = (
            "The `access` token of `POST /api/v1/auth/token/`, sent as `Authorization: Bearer <access>`. "
            "Signed JWS (HS256 only: any other `alg`, `none` included, is refused), short-lived, renewed "
            "with the rotating refresh token; handled as RFC8725 recommends."
        )
    return result
