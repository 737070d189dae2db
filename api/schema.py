"""OpenAPI generation: every operation documents the error responses it can send."""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
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
    "409": "The object's current state does not allow this.",
    "413": "The request body is too large.",
    "429": "Too many requests; see Retry-After.",
}


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self):
        codes = {"429"}
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            codes |= {"401", "403"}
        if "{" in self.path or self._is_list_view():
            codes.add("404")  # lists: a page past the end
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            codes.add("400")
        if self.method == "GET" and not self._is_list_view():
            codes.add("400") if self.get_filter_backends() else None
        if self.method in ("POST", "PATCH", "PUT", "DELETE") and "{" in self.path:
            codes.add("409")
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
        return responses
