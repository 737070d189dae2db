"""`Idempotency-Key` on every POST: a retry gets the first response, never a second effect.

For a POST with the header (with or without a token):
1. the key's scope is the member (`member:<id>`) or, without a token, a hash of
   the client address and the request itself (`anon:<sha256>`): an anonymous
   replay (a login's or a refresh's tokens) goes only to someone who sends the
   same key and the same body from the same address;
2. an answer stored for (scope, key) is replayed (`Idempotent-Replayed: true`)
   for IDEMPOTENCY_KEY_TTL (24 h) when method, path and body match, and is a 422
   when they don't;
3. otherwise the key row is inserted, the request runs and its answer is stored
   on the row, all in ONE transaction: the answer commits with the effect, or
   neither does. A crash after the commit leaves both, so the retry replays; a
   request that dies before committing (a killed worker, a 5xx, a timeout)
   leaves neither, and its key is free as soon as the database has rolled it
   back (when the connection drops, i.e. within seconds);
4. a retry while the first request is still running waits on the first's
   uncommitted row for at most IDEMPOTENCY_LOCK_WAIT_MS and then gets 409 with
   Retry-After: 1; so 409 means a request really is running with that key.

Answers with 5xx or 429, and streaming ones, are not kept (the transaction rolls
back), so the client may retry with the same key.

It is a middleware rather than a DRF hook so that it wraps every POST in one
place; it reads the member from the bearer token the same way DRF will.
"""
import hashlib
import json
import re
from io import BytesIO

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?', re.IGNORECASE)


def _error(status: int, code: str, detail: str, errors: dict | None = None) -> HttpResponse:
    body = {"status": status, "code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")


def _member_id(request):
    forced = getattr(request, "_force_auth_user", None)  # DRF's test client
    if forced is not None:
        return forced.pk
    auth = JWTAuthentication()
    header = auth.get_header(request)
    raw = auth.get_raw_token(header) if header else None
    if raw is None:
        return None
    try:
        token = auth.get_validated_token(raw)
    except (InvalidToken, TokenError):
        return None  # DRF answers 401 itself
    return token.get(jwt_settings.USER_ID_CLAIM)


def _read_body(request) -> bytes | None:
    """The body, read once and kept for the view; None when it is over the limit."""
    if hasattr(request, "_body"):
        return request._body
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.IDEMPOTENCY_MAX_BODY_BYTES:
        return None
    request._body = request.read()
    request._stream = BytesIO(request._body)
    return request._body


def fingerprint(request, body: bytes) -> str:
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    # A multipart body's boundary is random per attempt in most clients: leave it out.
    match = _BOUNDARY.search(request.META.get("CONTENT_TYPE", ""))
    if match:
        body = body.replace(match.group(1).encode("latin-1"), b"")
    digest.update(body)
    return digest.hexdigest()


class _Busy(Exception):
    """Another request holding this key has not committed yet."""


def _scope(request, member_id, fp: str) -> str:
    if member_id is not None:
        return f"member:{member_id}"
    client = BaseThrottle().get_ident(request) or ""
    return "anon:" + hashlib.sha256(f"{client}\n{fp}".encode()).hexdigest()


def _stored(scope: str, key: str, fp: str, now) -> HttpResponse | None:
    """The answer to replay (or the 422) for a committed key row; None when there is none."""
    row = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if row is None or row.response_status is None:
        return None
    if row.created_at < now - settings.IDEMPOTENCY_KEY_TTL:
        return None
    if row.fingerprint != fp:
        return _error(422, "idempotency_key_reused",
                      _("This Idempotency-Key was already used for a different request."))
    replay = HttpResponse(bytes(row.response_body or b""), status=row.response_status,
                          content_type=row.response_content_type or None)
    replay[REPLAY_HEADER] = "true"
    return replay


def _claim(scope: str, key: str, fp: str, member_id, now) -> IdempotencyKey:
    """Insert the key row inside the request's transaction (uncommitted until it ends).

    A concurrent request with the same key blocks on that row's unique index; it
    waits at most IDEMPOTENCY_LOCK_WAIT_MS (PostgreSQL's lock_timeout) and is told
    _Busy. IntegrityError: another request committed the key meanwhile.
    """
    connection = transaction.get_connection()
    IdempotencyKey.objects.filter(scope=scope, key=key,
                                  created_at__lt=now - settings.IDEMPOTENCY_KEY_TTL).delete()
    if connection.vendor != "postgresql":
        return IdempotencyKey.objects.create(scope=scope, member_id=member_id, key=key, fingerprint=fp,
                                             created_at=now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{settings.IDEMPOTENCY_LOCK_WAIT_MS}ms"])
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(scope=scope, member_id=member_id, key=key, fingerprint=fp,
                                                created_at=now)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise _Busy() from exc
        raise
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    return row


def _busy() -> HttpResponse:
    busy = _error(409, "idempotency_key_in_progress",
                  _("A request with this Idempotency-Key is still being processed; retry shortly."))
    busy["Retry-After"] = "1"
    return busy


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return self.get_response(request)
        if not KEY_PATTERN.match(key):
            return _error(400, "invalid", _("Invalid input."),
                          {HEADER: [_("Use 1 to 255 printable ASCII characters without spaces.")]})
        body = _read_body(request)
        if body is None:
            return _error(413, "too_large", _("The request body is too large."))
        fp = fingerprint(request, body)
        scope = _scope(request, _member_id(request), fp)
        member_id = int(scope.split(":", 1)[1]) if scope.startswith("member:") else None
        now = timezone.now()
        stored = _stored(scope, key, fp, now)
        if stored is not None:
            return stored
        try:
            with transaction.atomic():
                row = _claim(scope, key, fp, member_id, now)
                response = self.get_response(request)
                if response.status_code >= 500 or response.status_code == 429 or response.streaming:
                    transaction.set_rollback(True)  # nothing of this attempt stays: the key is free
                else:
                    IdempotencyKey.objects.filter(pk=row.pk).update(
                        response_status=response.status_code,
                        response_body=response.content,
                        response_content_type=response.get("Content-Type", ""),
                    )
            return response
        except _Busy:
            return _busy()
        except IntegrityError:
            # The key was committed by a request that ran at the same time: its answer stands.
            return _stored(scope, key, fp, timezone.now()) or _busy()


def prune_idempotency_keys(now=None) -> int:
    """Delete keys past their replay window; returns how many."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


__all__ = ["HEADER", "IdempotencyMiddleware", "prune_idempotency_keys"]
