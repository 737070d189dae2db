"""Views that belong to the API as a whole rather than to one app."""
import sys
from collections.abc import Mapping

from django.conf import settings

from django.db import connection
from django.http import JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework_simplejwt.views import TokenObtainPairView
from rest_framework_simplejwt.views import TokenRefreshView as SimpleJWTTokenRefreshView

from rest_framework import mixins, serializers, viewsets

from .access import READ, restrict
from .exceptions import error_response, unavailable_response
from .fields import DateTimeField
from .models import Job
from .scoping import ScopedViewSetMixin
from .login import DEVICE_COOKIE, LoginGuard, device_token, known_device
from .throttling import LoginAddressThrottle, LoginPhoneThrottle
from .unavailable import is_dependency_error


@extend_schema_view(post=extend_schema(
    summary="Log in with phone and password",
    description="`phone` as `09...` or `+849...`. Answers `access` (send it as `Authorization: Bearer "
                "<access>`, valid JWT_ACCESS_MINUTES, 15 by default), `refresh` (renews the access token "
                "at `token/refresh/`) and `device`, a proof that this device logged in (also set as the "
                "`login_device` cookie). Failed logins are throttled per phone (from every address "
                "together, 10 an hour by default) and per client address; successes never count. A device "
                "that logged in before sends its `device` proof (or its current `refresh` token) with the "
                "login and is counted on its own, so a stranger's guesses never lock its owner out. "
                "Errors: 401 `authentication_failed` for a wrong phone or password (the same answer for "
                "both), 400 `invalid` for a missing field, 429 `throttled` with Retry-After.",
))
class TokenObtainView(TokenObtainPairView):
    """Log in with phone and password; failed logins throttled per phone and per address.

    Only failures count (api/login.py): guessing one member's password and trying
    one password on many members are both held to the configured rates (429 with
    Retry-After), successes never use anything up, and a device that logged in
    before (its `device` proof or refresh token in the body, or the
    `login_device` cookie) is counted on its own, so the owner is never locked
    out by a stranger.
    """

    throttle_classes = [LoginAddressThrottle, LoginPhoneThrottle]

    def get_throttles(self):
        return []  # LoginGuard applies throttle_classes around the password check

    def post(self, request, *args, **kwargs):
        phone = request.data.get("phone") if isinstance(request.data, Mapping) else None
        device = known_device(request, phone)
        guard = LoginGuard(request, device=device, throttle_classes=self.throttle_classes)
        wait = guard.check()
        if wait is not None:
            self.throttled(request, wait)
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except exceptions.AuthenticationFailed:
            guard.failed()
            raise
        except Exception:
            guard.succeeded()  # a malformed body tried no password
            raise
        guard.succeeded()
        proof = device_token(serializer.user.pk, device)
        response = Response({**serializer.validated_data, "device": proof}, status=200)
        response.set_cookie(DEVICE_COOKIE, proof, max_age=settings.DEVICE_PROOF_DAYS * 86400, httponly=True,
                            secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        return response


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
    exc = sys.exc_info()[1]
    if is_dependency_error(exc):  # a dependency failed outside a view (middleware, auth)
        return unavailable_response(exc)
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


# Readiness ---------------------------------------------------------------------------
#
# Each dependency is asked on a thread of its own and waited for READY_TIMEOUT_SECONDS at
# most, so a frozen server makes /readyz answer 503 quickly instead of hanging with it.
# A thread left behind ends by itself (connect and socket timeouts bound every call).

READY_TIMEOUT_SECONDS = 1.5


def _check_database() -> dict:
    from django.db import connections

    from .outbox import outbox_stats

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return outbox_stats()
    finally:
        connections.close_all()


def _check_cache() -> str:
    from django.core.cache import cache

    ping = getattr(cache, "ping", None)
    if ping is None:
        return "memory"  # a per-process cache: nothing to reach
    ping()
    return "ok"


def _check_broker() -> str:
    from django.conf import settings

    from .celery import app

    if not settings.CELERY_BROKER_URL:
        return "eager"  # no broker: background work runs in the request
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=READY_TIMEOUT_SECONDS)
        client = getattr(conn.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()
    return "ok"


def readyz(request):
    """Readiness: 200 when PostgreSQL, the cache and the broker answer in time; else 503 naming which."""
    import concurrent.futures

    from .cache import fallback_state

    checks = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: pool.submit(check) for name, check in checks.items()}
    results, failed, outbox = {}, [], None
    for name, future in futures.items():
        try:
            value = future.result(timeout=READY_TIMEOUT_SECONDS)
        except concurrent.futures.TimeoutError:
            results[name], value = "timeout", None
            failed.append(name)
        except Exception as exc:  # any failure of a dependency means "not ready", never a 500
            results[name], value = f"down ({exc.__class__.__name__})", None
            failed.append(name)
        else:
            if name == "database":
                outbox, value = value, "ok"
            results[name] = value
    pool.shutdown(wait=False)
    body = {"status": "unavailable" if failed else "ok", "checks": results, "failed": failed,
            "cache_fallback": fallback_state()}
    if outbox is not None:
        body["outbox"] = outbox
    response = JsonResponse(body, status=503 if failed else 200)
    if failed:
        response["Retry-After"] = "5"
    return response


# Background jobs ------------------------------------------------------------------------

class JobSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Job.Status.choices, read_only=True)
    result = serializers.DictField(child=serializers.IntegerField(), allow_null=True, read_only=True,
                                   help_text="What the work made once `done` (for an assign: `created` and "
                                             "`already_assigned`); null before.")
    created_at = DateTimeField(read_only=True)
    finished_at = DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "done", "total", "result", "error", "created_at", "finished_at"]
        extra_kwargs = {
            "done": {"help_text": "Units done so far (for an assign: people reached)."},
            "total": {"help_text": "Units the job has to go through."},
            "error": {"help_text": "Why the job failed; empty otherwise."},
        }


class JobStartedSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Job.Status.choices, read_only=True)

    class Meta:
        model = Job
        fields = ["id", "status", "done", "total"]


class JobAcceptedSerializer(serializers.Serializer):
    """The 202 of a request whose work continues in the background (follow `GET /api/v1/jobs/{id}/`)."""

    job = JobStartedSerializer()


@extend_schema_view(retrieve=extend_schema(
    summary="A background job's progress",
    description="A job started by a request whose work was too big to finish in it (an assign reaching more "
                "than ASSIGN_BACKGROUND_THRESHOLD people answers 202 with it). Only the person who started "
                "it, and superusers. `status` goes `queued` -> `running` -> `done` (or `failed`, with "
                "`error`); `done` counts up to `total`. A job survives a worker crash and finishes once. "
                "Errors: 404 `not_found` (another person's job, or none).",
))
class JobViewSet(ScopedViewSetMixin, viewsets.GenericViewSet, mixins.RetrieveModelMixin):
    serializer_class = JobSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return restrict(Job.objects.all(), self.request.user, READ)
