"""Middleware shared by every endpoint."""
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.utils.translation import gettext as _

from .exceptions import error_response


def _too_large(limit):
    return error_response(413, "request_too_large",
                          _("The request body is larger than %(limit)d bytes.") % {"limit": limit})


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than API_MAX_REQUEST_BYTES with a 413.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves out uploaded files, and DRF's JSON
    parser reads the stream without consulting it; this one check covers JSON,
    forms and multipart alike, before any of it is read. Django's own limits on
    the number of form fields and files (met while a view parses the body) are
    answered here too, in the API's error body rather than an HTML page.
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
            return _too_large(limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
            message = (_("Too many files in one request.") if isinstance(exception, TooManyFilesSent)
                       else _("Too many fields in one request."))
            return error_response(400, "too_many_parts", message, {"non_field_errors": [message]})
        return None
