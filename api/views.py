"""Views that belong to the API as a whole rather than to one app."""
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework_simplejwt.views import TokenObtainPairView
from rest_framework_simplejwt.views import TokenRefreshView as SimpleJWTTokenRefreshView

from .exceptions import error_response
from .throttling import LoginAddressThrottle, LoginPhoneThrottle


@extend_schema_view(post=extend_schema(
    summary="Log in with phone and password",
    description="`phone` as `09...` or `+849...`. Answers `access` (send it as `Authorization: Bearer "
                "<access>`, valid JWT_ACCESS_MINUTES, 15 by default) and `refresh` (renews the access token "
                "at `token/refresh/`). Throttled per phone and per client address. Errors: 401 "
                "`authentication_failed` for a wrong phone or password (the same answer for both), 400 "
                "`invalid` for a missing field, 429 `throttled` with Retry-After.",
))
class TokenObtainView(TokenObtainPairView):
    """Log in with phone and password; throttled per phone and per client address.

    Every attempt counts, right or wrong, so guessing one member's password and
    trying one password on many members are both slowed down to the configured
    rates (429 with Retry-After).
    """

    throttle_classes = [LoginAddressThrottle, LoginPhoneThrottle]


@extend_schema_view(post=extend_schema(
    summary="Renew the access token with the refresh token",
    description="Answers a new `access` and a new `refresh`: refresh tokens rotate, and the one sent stops "
                "working. A phone on a bad network sends an `Idempotency-Key`, so that a retry of a refresh "
                "whose answer it lost gets the same answer again instead of a 401. Errors: 401 "
                "`token_not_valid` for an expired, used or revoked refresh token, 400 `invalid`.",
))
class TokenRefreshView(SimpleJWTTokenRefreshView):
    pass


# JSON answers, in the one error shape, for requests no view handled.

def bad_request(request, exception=None):
    return error_response(400, "bad_request", _("Bad request."))


def not_found(request, exception=None):
    return error_response(404, "not_found", _("Not found."))


def server_error(request):
    return error_response(500, "server_error", _("Internal server error."))


def healthz(request):
    """200 when the app and its database answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
