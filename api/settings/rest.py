"""DRF, JWT, the OpenAPI document, throttle rates and logging."""
# Reads the settings made before it (the order is api/settings/__init__.py's).
from .cache import *  # noqa: F401,F403
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Requests per period for each throttle scope; see api/throttling.py and SECURITY.md.
# login_phone and login_address count failed logins only (api/login.py).
THROTTLE_DEFAULTS = {"user": "600/min", "anon": "60/min", "login_phone": "10/hour", "login_address": "30/min"}
THROTTLE_RATES = {scope: env_rate(f"THROTTLE_{scope.upper()}", rate) for scope, rate in THROTTLE_DEFAULTS.items()}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
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
    # DRF's, remembered per Accept header (api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.RememberedContentNegotiation",
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
    "TOKEN_OBTAIN_SERIALIZER": "api.tokens.TokenObtainPairSerializer",
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
        {"name": "topics", "description": "What work is about: topics a team names for its subtree."},
        {"name": "join-requests", "description": "People asking to join a team with an invite, and the coordinators' decisions."},
        {"name": "campaigns", "description": "Campaigns that group tasks."},
        {"name": "tasks", "description": "Tasks and their fan-out to teams and people."},
        {"name": "assignments", "description": "One person's share of a task, and its workflow."},
        {"name": "channels", "description": "The teams' own pages and groups, their posting targets and post log."},
        {"name": "content", "description": "The content library: approved material that flows down the tree."},
        {"name": "schedules", "description": "Recurring work: schedules that the worker turns into one task per occurrence."},
        {"name": "notifications", "description": "The caller's own notification feed."},
        {"name": "devices", "description": "Push tokens of the caller's devices."},
        {"name": "reports", "description": "Report subscriptions and the reports made for them."},
        {"name": "jobs", "description": "Background work started by a request too big to finish in it."},
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
        "TeamKindEnum": "teams.choices.TeamKind",
        "RoleEnum": "teams.choices.Role",
        "JoinRequestStatusEnum": "teams.joining_models.JoinStatus",
        "NotificationKindEnum": "notifications.choices.NotificationKind",
        "DevicePlatformEnum": "notifications.choices.DevicePlatform",
        "DeliveryOutcomeEnum": "notifications.choices.DeliveryOutcome",
        "HistoryTypeEnum": "api.schema.HISTORY_TYPES",
        "JobStatusEnum": "api.models.Job.Status",
        "ErrorCodeEnum": "api.schema.ERROR_CODE_CHOICES",
        "SurveyQuestionKindEnum": "surveys.choices.QuestionKind",
        "SurveyStatusEnum": "surveys.choices.SurveyStatus",
        "ChannelKindEnum": "publishing.choices.ChannelKind",
        "ContentStatusEnum": "publishing.choices.ContentStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}


# The link an invite answers with: "{code}" is replaced by the invite's code (e.g.
# https://app.example.org/join/{code}); empty: /join/<code> on the host that was asked.
INVITE_URL_TEMPLATE = os.environ.get("INVITE_URL_TEMPLATE", "")

# How long the device proof a login answers with (api/login.py) lets that device past
# the per-phone lock of failed logins.
DEVICE_PROOF_DAYS = env_int("DEVICE_PROOF_DAYS", 365)
