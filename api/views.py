"""Views that belong to the API as a whole rather than to one app."""
from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework_simplejwt.views import TokenObtainPairView

from .exceptions import error_response
from .throttling import LoginAddressThrottle, LoginPhoneThrottle


class TokenObtainView(TokenObtainPairView):
    """Log in with phone and password; throttled per phone and per client address.

    Every attempt counts, right or wrong, so guessing one member's password and
    trying one password on many members are both slowed down to the configured
    rates (429 with Retry-After).
    """

    throttle_classes = [LoginAddressThrottle, LoginPhoneThrottle]


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
