"""Debug, secrets, hosts, HTTPS and security headers, request size limits, CORS."""
# Reads the settings made before it (the order is api/settings/__init__.py's).
from .env import *  # noqa: F401,F403
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

DEBUG = env_bool("DEBUG", False)
DJANGO_ENV = os.environ.get("DJANGO_ENV", "").strip().lower() or "development"
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV is 'production'.")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-dev-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the API's host names in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- HTTPS and security headers -------------------------------------------------
# The production profile assumes a TLS-terminating proxy in front that sets
# X-Forwarded-Proto (and strips any value a client sent). Development and the
# test suite speak plain http, so every HTTPS-only default follows DJANGO_ENV.
_proxy_header = os.environ.get(
    "SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https" if PRODUCTION else ""
)
if _proxy_header.strip():
    _header_name, _sep, _header_value = (part.strip() for part in _proxy_header.partition(","))
    if not (_header_name and _header_value):
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER is 'HEADER_NAME,value', e.g. HTTP_X_FORWARDED_PROTO,https."
        )
    SECURE_PROXY_SSL_HEADER = (_header_name, _header_value)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# Load balancers probe /healthz over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Request size ----------------------------------------------------------------
# One cap on the whole body (JSON, form or multipart with files), checked from
# Content-Length before anything is parsed: api.middleware.RequestSizeLimitMiddleware.
API_MAX_REQUEST_BYTES = env_int("API_MAX_REQUEST_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads are spooled to a temporary file
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# JSON bodies nested deeper than this are a 400 (api/parsers.py); no endpoint needs more than 3.
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 32)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 10)

# --- CORS: browsers may call the API only from these origins ---------------------
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False  # tokens travel in the Authorization header, not cookies
# Every request header the contract names, and every response header a client reads.
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-match",
    "if-none-match",
)
CORS_EXPOSE_HEADERS = ("ETag", "X-Sync-Cursor", "Idempotent-Replayed", "Retry-After")

