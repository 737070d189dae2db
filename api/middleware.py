"""Middleware shared by every endpoint."""
import json
import logging
import signal
import threading
import time

from django.conf import settings
from django.db import connections
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.http import JsonResponse
from django.middleware import locale
from django.utils.cache import patch_vary_headers
from django.urls import is_valid_path
from django.utils.module_loading import import_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import hooks
from .exceptions import code_for, error_response, unavailable_response
from .unavailable import DeadlineExceeded, is_dependency_error

logger = logging.getLogger(__name__)


def _too_large(request, limit):
    for response in hooks.body_too_large.send(request=request, limit=limit):
        if response is not None:
            return response
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
            return _too_large(request, limit)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return _too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
            message = (_("Too many files in one request.") if isinstance(exception, TooManyFilesSent)
                       else _("Too many fields in one request."))
            return error_response(400, "too_many_parts", message, {"non_field_errors": [message]})
        return None


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _browser_only(path: str):
    """`path`'s middleware for every request but the token API's (/api/v1/).

    The API authenticates by bearer token only (api/authentication.py): it reads no
    session or cookie and sends no messages. Django's request.user and messages serve the
    console, the admin and the docs; on the API they cost every request (a lazy user and
    a message store with its cookie signer) for nothing. DRF sets request.user itself once it
    has authenticated the token, which is what simple_history's middleware reads.
    """
    wrapped_class = import_string(path)

    # A subclass, so that Django's checks (the admin's) still find the middleware they need.
    class BrowserOnly(wrapped_class):
        def __call__(self, request):
            if request.path_info.startswith("/api/v1/"):
                return self.get_response(request)
            return super().__call__(request)

    BrowserOnly.__name__ = BrowserOnly.__qualname__ = f"BrowserOnly{wrapped_class.__name__}"
    BrowserOnly.__doc__ = f"{path}, except on /api/v1/ (api.middleware._browser_only)."
    return BrowserOnly


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's, without looking for a language in the path where no URL has one.

    Django reads the path's language prefix twice a request (before and after the view)
    even when no i18n_patterns exist, as here: the language then comes from the cookie or
    Accept-Language alone, which is what this does. With language-prefixed URLs it is
    Django's own middleware, unchanged.
    """

    @staticmethod
    def _prefixed(request) -> bool:
        return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]

    def process_request(self, request):
        if self._prefixed(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if self._prefixed(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


AuthenticationMiddleware = _browser_only("django.contrib.auth.middleware.AuthenticationMiddleware")
MessageMiddleware = _browser_only("django.contrib.messages.middleware.MessageMiddleware")


class SlashlessPathMiddleware:
    """`/api/v1/tasks` answers exactly like `/api/v1/tasks/`: no redirect, for POST too.

    Django's APPEND_SLASH answers a GET with a 301 (which drops the body of a
    POST a client then repeats as GET) and a POST with an error under DEBUG.
    Under /api/ a path that only resolves with its trailing slash is given
    the slash before anything else reads it. Must come before CommonMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if _is_api(request) and not path.endswith("/"):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
                request.path_info = f"{path}/"
                request.path = f"{request.path}/"
                request.META["PATH_INFO"] = f"{request.META.get('PATH_INFO', path)}/"
        return self.get_response(request)


class JsonErrorsMiddleware:
    """Every error under /api/ is JSON in the one error shape, with DEBUG on or off.

    Django answers some requests before any view runs: an unknown path (404, an
    HTML page under DEBUG), a Host that is not in ALLOWED_HOSTS (400, a debug page
    under DEBUG). Those become `{status, code, detail, errors}`. JSON error
    bodies that lack `errors` get an empty one, and a `code` that is not one of
    api.exceptions.ERROR_CODES becomes the generic code of its status, so the
    body always matches the schema's Error component. Comes right after
    CorsMiddleware, so the CORS headers are added to what this returns.
    """

    # Headers the answer keeps when its body is replaced.
    KEEP = ("Retry-After", "Allow", "Vary", "WWW-Authenticate", "Content-Language", "Idempotent-Replayed")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or response.streaming or not _is_api(request):
            return response
        body = None
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                body = json.loads(response.content or b"null")
            except ValueError:
                body = None
        if isinstance(body, dict) and isinstance(body.get("detail"), str) and "code" in body:
            fixed = {
                "status": response.status_code,
                "code": code_for(response.status_code, body.get("code")),
                "detail": body["detail"],
                "errors": body.get("errors") if isinstance(body.get("errors"), dict) else {},
            }
            if fixed == body:
                return response
            extra = {k: v for k, v in body.items() if k not in fixed}
            return self._replace(response, {**fixed, **extra})
        language = translation.get_language_from_request(request)
        with translation.override(language):
            detail = str(DETAILS.get(response.status_code, DETAILS[500 if response.status_code >= 500 else 400]))
        return self._replace(response, {
            "status": response.status_code, "code": code_for(response.status_code, None),
            "detail": detail, "errors": {},
        })

    def _replace(self, response, body):
        replaced = JsonResponse(body, status=response.status_code, json_dumps_params={"ensure_ascii": False})
        for header in self.KEEP:
            if response.has_header(header):
                replaced[header] = response[header]
        return replaced


DETAILS = {
    400: _lazy("Bad request."),
    403: _lazy("You do not have permission to perform this action."),
    404: _lazy("Not found."),
    405: _lazy("Method not allowed."),
    413: _lazy("The request body is too large."),
    500: _lazy("Internal server error."),
}


def _drop_connections() -> None:
    """Close every database connection without waiting on the server (it may be frozen)."""
    for conn in connections.all(initialized_only=True):
        if conn.vendor == "sqlite":
            continue  # in-process: no server that could be frozen
        try:
            conn.close()
        except Exception:  # already broken: nothing more to release
            pass


class RequestDeadlineMiddleware:
    """Bound every request by REQUEST_TIMEOUT_SECONDS and answer dependency failures with 503.

    A frozen PostgreSQL, Redis or broker answers nothing, and no server-side timeout
    can fire; without a bound of our own the worker would hang to gunicorn's kill and
    the client would get its HTML page. In a process's main thread (gunicorn's sync
    workers) SIGALRM interrupts the request at the deadline; the database
    connections are then dropped (a new one is opened for the next request) and the
    answer is a JSON 503 with Retry-After. Work committed before the deadline stays
    committed: a client retrying with its Idempotency-Key gets that first answer.
    Database, cache and broker errors that escape a view are answered the same way.
    It is the outermost middleware, so that nothing past it talks to the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.REQUEST_TIMEOUT_SECONDS
        started = time.monotonic()
        armed = seconds > 0 and threading.current_thread() is threading.main_thread()
        if armed:
            outer = signal.getitimer(signal.ITIMER_REAL)[0]  # a request inside a request (tests)
            previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
        try:
            response = self.get_response(request)
        except DeadlineExceeded as exc:
            logger.error("request deadline (%.1f s) passed: %s %s", seconds, request.method, request.path)
            _drop_connections()
            return unavailable_response(exc)
        finally:
            if armed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous or signal.SIG_DFL)
                if outer:
                    signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))
        return response

    @staticmethod
    def _expire(signum, frame):
        raise DeadlineExceeded()

    def process_exception(self, request, exception):
        if is_dependency_error(exception):
            logger.warning("dependency unavailable: %s", exception.__class__.__name__)
            return unavailable_response(exception)
        return None
