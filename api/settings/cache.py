"""The shared cache (Redis) with its fallback, where throttle counters live."""
# Reads the settings made before it (the order is api/settings/__init__.py's).
from .database import *  # noqa: F401,F403
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Entries the per-process cache keeps when no Redis is set (a few hundred bytes each).
LOCAL_CACHE_ENTRIES = env_int("LOCAL_CACHE_ENTRIES", 100_000)


def caches_from_url(url: str | None) -> dict:
    """CACHES for a redis:// (rediss://, unix://) URL, or a per-process memory cache."""
    if not url:
        # Room for every person's authentication state (api/authstate.py) and throttle count:
        # Django's default of 300 entries culled a third of them whenever the 301st person
        # came, and each culled person cost a query on their next request.
        return {"default": {"BACKEND": "api.cache.LocalCache",
                            "LOCATION": "volunteer-api", "OPTIONS": {"MAX_ENTRIES": LOCAL_CACHE_ENTRIES}}}
    if url.split(":", 1)[0] not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
    # A Redis that is down or slow costs at most CACHE_TIMEOUT_SECONDS once, then the
    # cache answers from process memory for CACHE_RETRY_SECONDS (api/cache.py).
    timeout = env_float("CACHE_TIMEOUT_SECONDS", 0.25)
    return {
        "default": {
            "BACKEND": "api.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "volunteer-api"),
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


CACHE_RETRY_SECONDS = env_float("CACHE_RETRY_SECONDS", 5.0)


# Throttle counters live here: with several app processes they must share Redis.
CACHES = caches_from_url(os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL"))


# How long a person's authentication state (token version, active and staff flags) is
# kept in the shared cache at most (api/authstate.py). Every change rewrites it at
# once; this only bounds a change made while Redis could not be reached.
AUTH_STATE_CACHE_SECONDS = env_int("AUTH_STATE_CACHE_SECONDS", 300)
