"""Conditional requests: ETag / If-None-Match on GET, If-Match on PATCH and PUT.

The ETag of a representation is a hash of its JSON bytes, so it changes exactly
when what the client would see changes (a field, a nested name, a count), not
only when one row's updated_at moves.
"""
import hashlib

from django.db import transaction
from django.http import HttpResponseNotModified
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer


def etag_for(content: bytes) -> str:
    return '"%s"' % hashlib.sha256(content).hexdigest()[:40]


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_equal(a: str, b: str) -> bool:
    return a.removeprefix("W/") == b.removeprefix("W/")


class ConditionalGetMiddleware:
    """Adds an ETag to every successful JSON GET of the API and answers If-None-Match with 304."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            or response.status_code != 200
            or response.streaming
            or not request.path.startswith("/api/v1/")
            or not response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if not response.has_header("ETag"):
            response["ETag"] = etag_for(response.content)
        tag = response["ETag"]
        wanted = request.META.get("HTTP_IF_NONE_MATCH")
        if wanted and (wanted.strip() == "*" or any(_weak_equal(t, tag) for t in _tags(wanted))):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Cache-Control", "Vary", "Content-Language"):
                if response.has_header(header):
                    not_modified[header] = response[header]
            return not_modified
        response.setdefault("Cache-Control", "private, no-cache")
        return response


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The object changed since you read it; fetch it again and retry.")
    default_code = "precondition_failed"


class IfMatchMixin:
    """For detail viewsets: a PATCH/PUT whose If-Match is not the object's current ETag is 412.

    The object is fetched through `get_object()` first, so scope (404) and role
    (403) are decided before the precondition. Without If-Match the write goes ahead.
    The current ETag is that of the detail GET's body: the `retrieve` serializer's
    data rendered as JSON.

    With If-Match, the request runs in one transaction that locks the object's row
    before comparing: two writers holding the same ETag cannot both pass; the
    second waits, sees the first one's change and gets 412.
    """

    def _conditional_write(self, request) -> bool:
        return request.method in ("PATCH", "PUT") and bool(request.META.get("HTTP_IF_MATCH"))

    def dispatch(self, request, *args, **kwargs):
        if self._conditional_write(request):
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self._conditional_write(request):
            obj = self.get_object()
            list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
            current = self.current_etag(self.get_object())  # read again: now under the lock
            tags = _tags(request.META["HTTP_IF_MATCH"])
            # If-Match uses the strong comparison: a weak tag never matches.
            if "*" not in tags and current not in tags:
                raise PreconditionFailed()

    def current_etag(self, obj) -> str:
        action = self.action
        self.action = "retrieve"
        try:
            data = self.get_serializer(obj).data
        finally:
            self.action = action
        return etag_for(JSONRenderer().render(data))
