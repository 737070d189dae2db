"""A Redis cache that does not take the API down with it.

Throttle counters (and anything else cached) live in Redis so that every app
process shares them. When Redis is down or slow, each call is bounded by a short
socket timeout (CACHE_TIMEOUT_SECONDS, 0.25 s by default); the first failure
opens a breaker and, for CACHE_RETRY_SECONDS, every call goes to a per-process
memory cache instead, without touching the network. Throttles therefore keep
counting while Redis is away, per process rather than across the deployment (a
client could get up to one allowance per app process), and fall back to the
shared counts when Redis answers again. Each switch is logged, and
`fallback_state()` (shown on /readyz) tells an operator how often it happened.
"""
import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

_state = {"fallbacks": 0, "down_since": None}
_lock = threading.Lock()


def fallback_state() -> dict:
    return {"fallbacks": _state["fallbacks"], "using_memory": _state["down_since"] is not None}


def _redis_errors():
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class _OwnKeys:
    """Keys are built here from ids, scopes and hashes (never from raw input), so Django's
    check that each one would suit memcached (a Python loop over every character, on every
    call: a cost on each request's throttle and auth-state reads) is skipped."""

    def validate_key(self, key):
        pass


class LocalCache(_OwnKeys, LocMemCache):
    """The per-process cache used when no Redis is set (api/settings/cache.py)."""


class ResilientRedisCache(_OwnKeys, RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._memory = LocalCache("resilient-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
        self._retry_at = 0.0
        self._errors = _redis_errors()

    def _call(self, name, *args, **kwargs):
        if time.monotonic() < self._retry_at:
            return getattr(self._memory, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except self._errors as exc:
            self._open_breaker(exc)
            return getattr(self._memory, name)(*args, **kwargs)
        if _state["down_since"] is not None:
            with _lock:
                if _state["down_since"] is not None:
                    logger.warning("cache: Redis answers again")
                    _state["down_since"] = None
        return result

    def _open_breaker(self, exc) -> None:
        with _lock:
            self._retry_at = time.monotonic() + settings.CACHE_RETRY_SECONDS
            _state["fallbacks"] += 1
            if _state["down_since"] is None:
                _state["down_since"] = time.time()
        logger.warning("cache: Redis unavailable (%s); using process memory for %.0f s",
                       exc.__class__.__name__, settings.CACHE_RETRY_SECONDS)

    # Shared-only calls: for values that must be the same in every process (who may
    # still authenticate, api/authstate.py). While Redis is away they never touch
    # process memory, whose copy other processes could not invalidate: a read is a
    # miss (the caller asks the database) and a write is skipped.

    def _call_shared(self, name, *args, default=None, **kwargs):
        if time.monotonic() < self._retry_at:
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except self._errors as exc:
            self._open_breaker(exc)
            return default

    def get_shared(self, key):
        return self._call_shared("get", key)

    def add_shared(self, key, value, timeout):
        return self._call_shared("add", key, value, timeout, default=False)

    def set_shared(self, key, value, timeout):
        return self._call_shared("set", key, value, timeout)

    def delete_shared(self, key):
        return self._call_shared("delete", key, default=False)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def clear(self):
        return self._call("clear")

    def ping(self) -> None:
        """For /readyz: raises when Redis does not answer within the socket timeout."""
        self._cache.get_client(write=False).ping()
