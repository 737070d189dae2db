"""One error shape for every 4xx the API sends.

    {"status": 400, "code": "invalid", "detail": "Dữ liệu không hợp lệ.",
     "errors": {"phone": ["..."]}}

`errors` is present on 400s and maps field names (or "non_field_errors") to
messages. Messages follow the request's Accept-Language (vi by default).
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
    the URLconf's handlers) builds its body here, as the exception handler does."""
    body = {"status": status_code, "code": code, "detail": str(detail)}
    if errors is not None:
        body["errors"] = errors
    return body


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
        body = error_body(response.status_code, _first_code(exc.get_codes()), _("Invalid input."),
                          _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(detail, (dict, list)):
            detail = next(iter(_flatten(detail).values()))[0]
        detail = str(detail)
        # e.g. malformed JSON: every 400 names what was wrong in `errors`.
        errors = {"non_field_errors": [detail]} if response.status_code == status.HTTP_400_BAD_REQUEST else None
        body = error_body(response.status_code, _first_code(codes), detail, errors)
    response.data = body
    return response
