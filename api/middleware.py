"""Middleware shared by every endpoint."""
from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than API_MAX_REQUEST_BYTES with a 413.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves out uploaded files, and DRF's JSON
    parser reads the stream without consulting it; this one check covers JSON,
    forms and multipart alike, before any of it is read. The answer uses the
    API's error body so clients handle it like any other 4xx.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.API_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > limit:
            return JsonResponse(
                {
                    "status": 413,
                    "code": "request_too_large",
                    "detail": _("The request body is larger than %(limit)d bytes.") % {"limit": limit},
                },
                status=413,
            )
        return self.get_response(request)
