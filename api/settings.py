"""Settings read from the environment.

DATABASE_URL  default: a SQLite file in the project folder
DATABASE_REPLICA_URL  optional read replica for reports (api/db_routers.py)
SECRET_KEY    required when DEBUG is off
DEBUG         "1"/"true" turns debug on (make run does)
ALLOWED_HOSTS comma-separated
DJANGO_ENV    "production" turns on the HTTPS profile (SSL redirect behind a proxy
              header, HSTS, secure cookies); each part can be overridden by its own
              variable. SECURITY.md lists them all.
CACHE_URL / REDIS_URL  redis://host:6379/0 for the shared cache (throttles); default:
              a per-process memory cache. While Redis is down or slow the cache falls
              back to process memory (api/cache.py).
DB_CONNECT_TIMEOUT, DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS, REQUEST_TIMEOUT_SECONDS,
CACHE_TIMEOUT_SECONDS, BROKER_TIMEOUT_SECONDS  bounds on every dependency (see below)
THROTTLE_*    request rates, e.g. THROTTLE_USER=200/min (see REST_FRAMEWORK below)
CORS_ALLOWED_ORIGINS  comma-separated origins allowed to call the API from a browser
"""
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """An integer setting: the default when unset or empty, a clear ImproperlyConfigured otherwise."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.")


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
    "reports",
    "notifications",
    "surveys",
    "scale",
    "console",
]

MIDDLEWARE = [
    "api.middleware.RequestDeadlineMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.JsonErrorsMiddleware",
    "api.middleware.SlashlessPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "api.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.conditional.ConditionalGetMiddleware",
    "api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "api.urls"
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
# Lets several test runs share one PostgreSQL server without clobbering each other.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
# A streaming replica for report reads (api/db_routers.py); unset: everything reads the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=env_int("DB_CONN_MAX_AGE", 0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# PostgreSQL's JIT compiles a plan's expressions when its estimated cost is high. Over
# the bench seed's 1.1M assignments only the heavier report queries reach that cost,
# and they lose by it (the member board: 4.3 s with JIT, 3.6 s without); the lists and
# the district summary stay under the threshold. Compilation never pays off here.
#
# Timeouts: a PostgreSQL that is down or frozen must give a quick 503, not hold a worker
# to gunicorn's kill. DB_CONNECT_TIMEOUT bounds the connect; DB_STATEMENT_TIMEOUT_MS
# cancels one statement on the server (0 turns it off: bulk seeding does); a connection
# found dead is replaced before use (CONN_HEALTH_CHECKS), so a restarted server costs
# no request an error. What the server cannot cancel (it is frozen) is bounded by the
# request deadline (REQUEST_TIMEOUT_SECONDS, api/middleware.py).
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 3)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 15_000)
DB_LOCK_TIMEOUT_MS = env_int("DB_LOCK_TIMEOUT_MS", 10_000)
for _db in DATABASES.values():
    _db["CONN_HEALTH_CHECKS"] = True
    if _db.get("ENGINE", "").endswith("postgresql"):
        _options = _db.setdefault("OPTIONS", {})
        _settings = f"-c jit=off -c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
        _options["options"] = f"{_options.get('options', '')} {_settings}".strip()
        _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
REQUEST_TIMEOUT_SECONDS = float(os.environ.get("REQUEST_TIMEOUT_SECONDS", "20"))
# Retry-After (seconds) on the 503 a dependency that is down or slow gives.
UNAVAILABLE_RETRY_AFTER = env_int("UNAVAILABLE_RETRY_AFTER", 5)
READ_REPLICA_ALIAS = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["api.db_routers.ReplicaRouter"]

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


def caches_from_url(url: str | None) -> dict:
    """CACHES for a redis:// (rediss://, unix://) URL, or a per-process memory cache."""
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                            "LOCATION": "volunteer-api"}}
    if url.split(":", 1)[0] not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    # A Redis that is down or slow costs at most CACHE_TIMEOUT_SECONDS once, then the
    # cache answers from process memory for CACHE_RETRY_SECONDS (api/cache.py).
    timeout = float(os.environ.get("CACHE_TIMEOUT_SECONDS", "0.25"))
    return {
        "default": {
            "BACKEND": "api.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "volunteer-api"),
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


CACHE_RETRY_SECONDS = float(os.environ.get("CACHE_RETRY_SECONDS", "5"))


# Throttle counters live here: with several app processes they must share Redis.
CACHES = caches_from_url(os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL"))


def env_rate(name: str, default: str) -> str:
    """A throttle rate `N/period` (period: s, sec, min, hour, day); checked at start-up."""
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like 100/min (s, min, hour or day), not {value!r}.")
    return value


# Requests per period for each throttle scope; see api/throttling.py and SECURITY.md.
THROTTLE_RATES = {
    "user": env_rate("THROTTLE_USER", "600/min"),
    "anon": env_rate("THROTTLE_ANON", "60/min"),
    "login_phone": env_rate("THROTTLE_LOGIN_PHONE", "10/hour"),
    "login_address": env_rate("THROTTLE_LOGIN_ADDRESS", "30/min"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "api.ordering.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.MemberRateThrottle",
        "api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # How many proxies in front of the app append to X-Forwarded-For. 0: the
    # client address is REMOTE_ADDR and a client-sent X-Forwarded-For is ignored.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "TOKEN_REFRESH_SERIALIZER": "api.tokens.TokenRefreshSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Volunteer network coordination API",
    "DESCRIPTION": (
        "Plan and track the work that members of a province > commune > village "
        "network publish under their own names: tasks fanned out to teams, the member's "
        "side (start, complete with evidence, decline), the coordinator's (verify, reject), "
        "statistics and notifications.\n\n"
        "Log in with `POST /api/v1/auth/token/` and send `Authorization: Bearer <access>`. "
        "Every error is `{status, code, detail, errors}` (see the `ApiError` schema; `code` is "
        "one of `ErrorCodeEnum`); `detail` and field messages follow `Accept-Language` "
        "(`vi` by default, or `en`), this document does not. Paths answer with or without "
        "their trailing slash. Times are ISO 8601 with the offset of Asia/Ho_Chi_Minh (+07:00)."
    ),
    "VERSION": "1.1.0",
    "CONTACT": {"name": "API maintainers", "email": "api@volunteer-network.example.org"},
    "LICENSE": {"name": "Proprietary: for the network's own apps and tools"},
    # Relative: the host that served this document (a developer's machine, staging or production).
    "SERVERS": [{"url": "/", "description": "The server that served this document (local, staging "
                 "or production)", "x-internal": False}],
    "TAGS": [
        {"name": "auth", "description": "Logging in and out; tokens."},
        {"name": "me", "description": "The caller's own profile and data."},
        {"name": "teams", "description": "The hierarchy of teams, their statistics and history."},
        {"name": "surveys", "description": "Surveys and polls to members, answered once, with results that hide small groups."},
        {"name": "members", "description": "People and their accounts."},
        {"name": "memberships", "description": "Roles people hold in teams."},
        {"name": "campaigns", "description": "Campaigns that group tasks."},
        {"name": "tasks", "description": "Tasks and their fan-out to teams and people."},
        {"name": "assignments", "description": "One person's share of a task, and its workflow."},
        {"name": "notifications", "description": "The caller's own notification feed."},
        {"name": "devices", "description": "Push tokens of the caller's devices."},
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.postprocess_for_generators",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "tasks.choices.TaskStatus",
        "AssignmentStatusEnum": "tasks.choices.AssignmentStatus",
        "TaskKindEnum": "tasks.choices.TaskKind",
        "TaskPlatformEnum": "tasks.choices.Platform",
        "TaskPriorityEnum": "tasks.choices.Priority",
        "EventKindEnum": "tasks.choices.EventKind",
        "TeamLevelEnum": "teams.choices.Level",
        "RoleEnum": "teams.choices.Role",
        "NotificationKindEnum": "notifications.choices.NotificationKind",
        "DevicePlatformEnum": "notifications.choices.DevicePlatform",
        "DeliveryOutcomeEnum": "notifications.choices.DeliveryOutcome",
        "HistoryTypeEnum": "api.schema.HISTORY_TYPES",
        "ErrorCodeEnum": "api.schema.ERROR_CODE_CHOICES",
        "SurveyQuestionKindEnum": "surveys.choices.QuestionKind",
        "SurveyStatusEnum": "surveys.choices.SurveyStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Background work, push, mobile sync and retries -----------------------------------
# CELERY_BROKER_URL unset (the default, and `make run`): tasks run eagerly, in the
# request's process, and their exceptions propagate like any other code's.
from celery.schedules import crontab  # noqa: E402

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged after its task ran, and put back when the process running it
# dies (a pool process killed, the OOM killer): the outbox consumer is idempotent, so a
# second run does nothing twice. The broker hands an unacknowledged message to another
# worker after the visibility timeout, which must outlast the longest task (the hard
# time limit) or a task still running would be started a second time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = max(1, CELERY_TASK_TIME_LIMIT - 30)
BROKER_TIMEOUT_SECONDS = float(os.environ.get("BROKER_TIMEOUT_SECONDS", "3"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
    "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
    # above the 1 s blocking pop a worker waits on, so an idle queue is not an error
    "socket_timeout": max(BROKER_TIMEOUT_SECONDS, 2.0),
    "health_check_interval": 10,
}
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT_SECONDS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for the broker to come back
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                                    "interval_max": 1}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {
        "task": "notifications.tasks.send_deadline_reminders_task",
        "schedule": crontab(minute="*/15"),
    },
    "overdue-digest": {  # 07:00 in CELERY_TIMEZONE (Asia/Ho_Chi_Minh)
        "task": "notifications.tasks.send_overdue_digests_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Opens and closes surveys at opens_at/closes_at and reminds, a day before closing,
    # those who have not answered.
    "survey-clock": {
        "task": "surveys.tasks.survey_clock_task",
        "schedule": crontab(minute="*"),
    },
    "prune-idempotency-keys": {
        "task": "api.tasks.prune_idempotency_keys",
        "schedule": crontab(minute=17),
    },
    "outbox-relay": {
        "task": "api.outbox.outbox_relay",
        "schedule": timedelta(seconds=env_int("OUTBOX_RELAY_SECONDS", 10)),
    },
    "prune-outbox": {
        "task": "api.tasks.prune_outbox",
        "schedule": crontab(hour=3, minute=41),
    },
}

# The outbox (api/outbox.py): a row not done this long after it was handed over is
# handed over again by the relay; done rows are kept this many days for inspection.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 60)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7)

# Push: FCM HTTP v1 when a service-account file is configured, a logging sender otherwise.
FCM_CREDENTIALS_FILE = os.environ.get("FCM_CREDENTIALS_FILE", "")
PUSH_SENDER = os.environ.get("PUSH_SENDER") or (
    "notifications.push.FCMSender" if FCM_CREDENTIALS_FILE else "notifications.push.LoggingSender"
)

# Survey results in JSON carry at most this many text answers per question, picked at random
# (`answers_total` says how many there are); CSV and XLSX carry them all.
SURVEY_TEXT_ANSWERS_LIMIT = int(os.environ.get("SURVEY_TEXT_ANSWERS_LIMIT", "1000"))

# Idempotency-Key: first responses are replayed this long, then pruned.
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
# How long a retry waits for the first request holding its key before answering 409.
IDEMPOTENCY_LOCK_WAIT_MS = env_int("IDEMPOTENCY_LOCK_WAIT_MS", 200)
IDEMPOTENCY_MAX_BODY_BYTES = 8 * 1024 * 1024

# Delta sync: the cursor handed to clients lags the server clock by this much (clock skew
# between app servers, and the instant between computing updated_at and sending the row).
SYNC_OVERLAP = timedelta(seconds=env_int("SYNC_OVERLAP_SECONDS", 5))

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# 12 MP: one upload decodes in ~0.25 s and ~45 MB at worst (api/images.py, make bench).
EVIDENCE_MAX_PIXELS = env_int("EVIDENCE_MAX_PIXELS", 12_000_000)
