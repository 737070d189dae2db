"""Apps, middleware, templates, the console session, auth, languages, files, phones."""
# Reads the settings made before it (the order is api/settings/__init__.py's).
from .security import *  # noqa: F401,F403
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "teams",
    "tasks",
    "simple_history",
    "publishing",
    "reports",
    "notifications",
    "surveys",
    "scale",
    "console",
]

# Django's request.user and messages serve the console, the admin and the docs, not the
# token API (/api/v1/): api.middleware wraps them so. Sessions, CSRF and X-Frame-Options
# stay on every path (cheap where unused, and `check --deploy` looks for them by name).
MIDDLEWARE = [
    "api.middleware.RequestDeadlineMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.JsonErrorsMiddleware",
    "api.middleware.SlashlessPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "api.middleware.LocaleMiddleware",
    "api.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "api.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "api.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.conditional.ConditionalGetMiddleware",
    "api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "api.wsgi.application"
ASGI_APPLICATION = "api.asgi.application"

# The web console (console/) logs in with a session: it lasts CONSOLE_SESSION_SECONDS
# from the last page that changed something (8 hours by default, a working day), and
# ends with the browser. Its CSRF refusals are an HTML page in the console's look.
CONSOLE_SESSION_SECONDS = env_int("CONSOLE_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_AGE = CONSOLE_SESSION_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "/console/login/"
CSRF_FAILURE_VIEW = "console.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "teams.Member"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("phone", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
# The console's catalog is listed here (not only found as an app's) so that its wording
# wins over django.contrib.admin's for the same English words ("Log out", "History").
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "console" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Uploads (evidence images): local files by default, any S3-compatible store when
# S3_BUCKET is set. Either way they are private: the API streams them through a
# view that checks scope, so no storage URL is ever handed out.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", "media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Phones are Vietnamese unless written with a country code.
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "VN")

API_MAX_PAGE_SIZE = 200


