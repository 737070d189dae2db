"""OpenAPI generation: every operation documents the error responses it can send."""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    """The one error body every 4xx uses."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Present on 400: field name (or non_field_errors) -> messages.",
    )


ERROR_DESCRIPTIONS = {
    "400": "Bad input; `errors` names each field.",
    "401": "No token, or a bad or expired one.",
    "403": "The caller's role may not take this action.",
    "404": "Not found, or outside the caller's scope.",
    "409": "The object's current state does not allow this; or a request with the same "
           "Idempotency-Key is still running.",
    "412": "If-Match does not name the object's current ETag: it changed since it was read.",
    "413": "The request body is too large.",
    "422": "This Idempotency-Key was already used with a different request.",
    "429": "Too many requests; see Retry-After.",
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="Optional, 1-255 printable ASCII characters. A retry with the same key and the same "
                "request gets the first response again (with `Idempotent-Replayed: true`) for 24 hours "
                "and has no second effect; the same key with another request is 422; a retry while "
                "the first is still running is 409.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ETag of a copy the client holds: 304 with no body when it is still current.",
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="The ETag the client read: 412 if the object changed since (nothing is written).",
)
ETAG = OpenApiParameter(
    "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304],
    description="Identifies this representation; send it back in If-None-Match or If-Match.",
)
UPDATED_SINCE = OpenApiParameter(
    "updated_since", OpenApiTypes.DATETIME, OpenApiParameter.QUERY,
    description="Only rows changed at or after this moment, cancelled and finished ones included. "
                "Send the X-Sync-Cursor of the previous sync; rows may repeat, none is missed.",
)
SYNC_CURSOR = OpenApiParameter(
    "X-Sync-Cursor", OpenApiTypes.DATETIME, OpenApiParameter.HEADER, response=[200],
    description="The server's cursor for the next delta sync (`updated_since`).",
)


class AutoSchema(SpectacularAutoSchema):
    """Adds to every operation the errors and the mobile headers it can involve."""

    def _is_public(self):
        return any(isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _is_detail_get(self):
        return self.method == "GET" and "{" in self.path and not self._is_list_view()

    def _has_if_match(self):
        from api.conditional import IfMatchMixin

        return self.method in ("PATCH", "PUT") and isinstance(self.view, IfMatchMixin)

    def _is_delta_list(self):
        from api.sync import DeltaSyncMixin

        return (self.method == "GET" and isinstance(self.view, DeltaSyncMixin)
                and getattr(self.view, "action", None) == "list")

    def get_override_parameters(self):
        params = list(super().get_override_parameters())
        if self.method == "POST" and not self._is_public():
            params.append(IDEMPOTENCY_KEY)
        if self._is_detail_get():
            params += [IF_NONE_MATCH, ETAG]
        if self._has_if_match():
            params.append(IF_MATCH)
        if self._is_delta_list():
            params += [UPDATED_SINCE, SYNC_CURSOR]
        return params

    def _error_codes(self):
        # 401 everywhere: public endpoints (login, refresh, logout) refuse bad credentials or tokens too.
        codes = {"401", "429"}
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
        if self.method == "POST" and not public:
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
        if self._is_detail_get() and "304" not in responses:
            responses["304"] = {"description": "Not modified: the If-None-Match ETag is current.",
                                "headers": self._get_response_headers_for_code("304")}
        return responses

