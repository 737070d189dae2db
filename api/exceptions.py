"""One error shape for every 4xx the API sends.

    {"status": 400, "code": "invalid", "detail": "Dữ liệu không hợp lệ.",
     "errors": {"phone": ["..."]}}

`errors` is always present: field names (or "non_field_errors") mapped to
messages, empty when no field is at fault. `code` is one of ERROR_CODES (the
schema lists them as an enum); a validation error's code is always "invalid",
the fields say what is wrong. Messages follow the request's Accept-Language (vi by default).
Services raise Django's ValidationError/PermissionDenied or `Conflict`; they are
mapped here so no view needs try/except.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .unavailable import is_dependency_error, which


# Every `code` an error body can carry, with what it means (the schema's ErrorCodeEnum).
# tests/api/test_error_codes.py reads the sources for codes that are missing here.
ERROR_CODES = {
    "invalid": "400: bad input; `errors` names each field.",
    "parse_error": "400: the body is not valid JSON (or not valid multipart).",
    "too_many_parts": "400: too many form fields or files in one request.",
    "bad_request": "400: the request could not be read (e.g. a Host the server does not serve).",
    "not_authenticated": "401: no token was sent.",
    "authentication_failed": "401: wrong phone or password.",
    "token_not_valid": "401: the token is expired, revoked or not one of ours.",
    "permission_denied": "403: the caller's role may not take this action.",
    "not_found": "404: no such path, or no such object in the caller's scope.",
    "method_not_allowed": "405: the path does not take this method.",
    "not_acceptable": "406: the Accept header asks for a format this path does not give.",
    "conflict": "409: the object's current state does not allow the change.",
    "invalid_transition": "409: the status (of an assignment or a content item) does not allow this action.",
    "content_not_editable": "409: only a draft or a rejected content item can be edited.",
    "task_cancelled": "409: the task was cancelled.",
    "task_closed": "409: the task is closed.",
    "task_not_open": "409: only an open task can be assigned.",
    "team_not_empty": "409: the team still has members or work.",
    "team_in_use": "409: the team cannot be archived while it has open tasks, active members or active child teams.",
    "team_merged": "409: the team was merged into another; it stays inactive.",
    "team_inactive": "409: the team is archived or merged; it takes no part in this change.",
    "last_membership": "409: the person's only role cannot be removed; deactivate them instead.",
    "member_anonymised": "409: the member was anonymised; their record can no longer change.",
    "already_anonymised": "409: the member was already anonymised.",
    "join_request_decided": "409: the join request was already approved or declined.",
    "team_inactive": "409: the team is archived or merged; it takes no part in this change.",
    "not_draft": "409: only a draft survey can be changed or opened.",
    "not_open": "409: the survey is not open.",
    "already_answered": "409: the caller has already answered this survey.",
    "channel_inactive": "409: the channel is inactive; it takes no new posts.",
    "schedule_paused": "409: the schedule is already paused.",
    "schedule_active": "409: the schedule is not paused; only a paused schedule resumes.",
    "already_subscribed": "409: the caller already receives this report (same team, period and format).",
    "idempotency_key_in_progress": "409: a request with this Idempotency-Key is still running.",
    "precondition_failed": "412: If-Match does not name the current ETag.",
    "request_too_large": "413: the body is larger than the server takes.",
    "unsupported_media_type": "415: the Content-Type is not one this path reads.",
    "idempotency_key_reused": "422: this Idempotency-Key was used with a different request.",
    "throttled": "429: too many requests; retry after Retry-After seconds.",
    "server_error": "500: an error on the server.",
    "service_unavailable": "503: a dependency is down; retry after Retry-After seconds.",
}

# The code an answer of that status gets when it carries none of ERROR_CODES.
STATUS_CODES = {
    400: "bad_request", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 412: "precondition_failed",
    413: "request_too_large", 415: "unsupported_media_type", 422: "idempotency_key_reused",
    429: "throttled", 503: "service_unavailable",
}


# Codes that libraries raise under another name.
CODE_ALIASES = {"no_active_account": "authentication_failed", "too_large": "request_too_large"}


def code_for(status_code: int, code) -> str:
    """`code` when it is one of ERROR_CODES, else the generic code of the status."""
    code = CODE_ALIASES.get(code, code)
    if code in ERROR_CODES:
        return code
    return STATUS_CODES.get(status_code, "server_error" if status_code >= 500 else "bad_request")


class Conflict(Exception):
    """A domain rule refuses the change because of the object's current state (409)."""

    def __init__(self, message, code="conflict"):
        super().__init__(message)
        self.message = message
        self.code = code


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the object.")
    default_code = "conflict"


def _flatten(detail):
    """Turn DRF's nested ErrorDetail structures into {field: [str, ...]}."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub_key, sub_value in _flatten(value).items():
                    out[f"{key}.{sub_key}"] = sub_value
            elif isinstance(value, list):
                messages = []
                for i, item in enumerate(value):
                    if isinstance(item, (dict, list)):
                        for sub_key, sub_value in _flatten(item).items():
                            out[f"{key}.{i}.{sub_key}" if isinstance(item, dict) else key] = sub_value
                    else:
                        messages.append(str(item))
                if messages:
                    out[key] = messages
            else:
                out[key] = [str(value)]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def error_body(status_code: int, code: str, detail, errors: dict | None = None) -> dict:
    """The one error shape. Everything that answers an error without DRF (middleware,
    the URLconf's handlers) builds its body here, as the exception handler does.
    `code` outside ERROR_CODES becomes its status's generic code; `errors` is always there."""
    return {"status": status_code, "code": code_for(status_code, code), "detail": str(detail),
            "errors": errors if errors is not None else {}}


def error_response(status_code: int, code: str, detail, errors: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(status_code, code, detail, errors), status=status_code)


def _unavailable_body(exc) -> dict:
    message = _("A service the API depends on is unavailable or slow; retry shortly.")
    body = error_body(503, "service_unavailable", message, {"non_field_errors": [str(message)]})
    body["dependency"] = which(exc)  # database, cache, broker or timeout
    return body


def unavailable_response(exc=None) -> JsonResponse:
    """The JSON 503 with Retry-After for a dependency that is down or slow (api/unavailable.py)."""
    response = JsonResponse(_unavailable_body(exc), status=503)
    response["Retry-After"] = str(settings.UNAVAILABLE_RETRY_AFTER)
    return response


def _first_code(codes):
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value)
    if isinstance(codes, list):
        return _first_code(codes[0]) if codes else "invalid"
    return codes or "invalid"


def exception_handler(exc, context):
    if is_dependency_error(exc):
        # The database, the cache or the broker is down or slow: 503 with Retry-After.
        set_rollback()
        return Response(_unavailable_body(exc), status=503,
                        headers={"Retry-After": str(settings.UNAVAILABLE_RETRY_AFTER)})
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args[:1] or ()))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, Conflict):
        exc = ConflictError(detail=exc.message, code=exc.code)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = ConflictError(_("This object is still referenced by other records and cannot be deleted."))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        # The fields say what is wrong; one code keeps the enum closed.
        body = error_body(response.status_code, "invalid", _("Invalid input."), _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(detail, (dict, list)):
            detail = next(iter(_flatten(detail).values()))[0]
        detail = str(detail)
        field = getattr(exc, "field", None)  # an error about one field that is not a 400 (a photo's 413)
        if field:
            errors = {field: [detail]}
        elif response.status_code == status.HTTP_400_BAD_REQUEST:
            # e.g. malformed JSON: every 400 names what was wrong in `errors`.
            errors = {"non_field_errors": [detail]}
        else:
            errors = {}
        body = error_body(response.status_code, _first_code(codes), detail, errors)
    response.data = body
    return response
