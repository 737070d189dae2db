"""`Idempotency-Key` on every POST: a retry gets the first response, never a second effect.

For an authenticated POST with the header:
1. the key row (member, key, SHA-256 of method + path + body) is inserted and
   committed in its own transaction before the request runs; the unique
   constraint on (member, key) makes this the one place where duplicates collide;
2. the request runs; its status and body are stored on the row;
3. a later POST with the same key and the same request gets the stored response
   again (with `Idempotent-Replayed: true`) for IDEMPOTENCY_KEY_TTL (24 h);
   with another request it is 422; while the first is still running it is 409.

A first attempt that ended in a server error (5xx) or was throttled (429) leaves
no row, so the client may retry with the same key. A row still "in progress"
after IDEMPOTENCY_STALE_AFTER belongs to a request that died; a retry takes it
over. Anonymous POSTs (logging in) are not keyed: there is no member to key them by.

It is a middleware rather than a DRF hook so that it wraps every POST in one
place; it reads the member from the bearer token the same way DRF will.
"""
import hashlib
import json
import re
from io import BytesIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
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


def _claim(member_id, key: str, fp: str):
    """Insert the key row in its own committed transaction; returns (row, created)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(member_id=member_id, key=key, fingerprint=fp, created_at=now), True
    except IntegrityError:
        pass
    existing = IdempotencyKey.objects.filter(member_id=member_id, key=key).first()
    if existing is None:  # pruned between our insert and our read: try once more
        return _claim(member_id, key, fp)
    expired = existing.created_at < now - settings.IDEMPOTENCY_KEY_TTL
    stale = existing.response_status is None and existing.created_at < now - settings.IDEMPOTENCY_STALE_AFTER
    if expired or stale:
        # Take the row over only if nobody else did since we read it.
        taken = IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).update(
            fingerprint=fp, created_at=now, response_status=None, response_body=None, response_content_type=""
        )
        if taken:
            existing.refresh_from_db()
            return existing, True
        existing.refresh_from_db()
    return existing, False


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
        member_id = _member_id(request)
        if member_id is None:
            return self.get_response(request)
        body = _read_body(request)
        if body is None:
            return _error(413, "too_large", _("The request body is too large."))
        fp = fingerprint(request, body)
        row, created = _claim(member_id, key, fp)
        if not created:
            if row.fingerprint != fp:
                return _error(422, "idempotency_key_reused",
                              _("This Idempotency-Key was already used for a different request."))
            if row.response_status is None:
                busy = _error(409, "idempotency_key_in_progress",
                              _("A request with this Idempotency-Key is still being processed; retry shortly."))
                busy["Retry-After"] = "1"
                return busy
            replay = HttpResponse(bytes(row.response_body or b""), status=row.response_status,
                                  content_type=row.response_content_type or None)
            replay[REPLAY_HEADER] = "true"
            return replay

        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
            raise
        if response.status_code >= 500 or response.status_code == 429 or response.streaming:
            IdempotencyKey.objects.filter(pk=row.pk).delete()
        else:
            IdempotencyKey.objects.filter(pk=row.pk).update(
                response_status=response.status_code,
                response_body=response.content,
                response_content_type=response.get("Content-Type", ""),
            )
        return response


def prune_idempotency_keys(now=None) -> int:
    """Delete keys past their replay window; returns how many."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


__all__ = ["HEADER", "IdempotencyMiddleware", "prune_idempotency_keys"]
