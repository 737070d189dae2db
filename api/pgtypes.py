"""PostgreSQL timestamps read by psycopg's C loader instead of Django's Python one.

Django reads every `timestamptz` through its own loader class, a Python subclass of
psycopg's that pins the zone. psycopg only swaps its own classes for their C versions,
so every timestamp Django reads is parsed in Python. A page of 100 assignments carries
about 500 timestamps, and parsing them was the largest Python cost of a hot list after
the ORM (issue 16).

The session's time zone is UTC (Django sets it when USE_TZ is on), and psycopg's C loader
then returns what Django's does: an aware datetime with `tzinfo=datetime.timezone.utc`.
So on every new connection whose zone is UTC, `UtcTimestampLoader` takes the C loader's
`load` as its own. Its `timezone` attribute is the one Django's cursor factory compares
with the connection's zone (equal: no per-cursor loader). Anywhere else (another zone,
USE_TZ off, psycopg without its C module, SQLite) Django's own loader stays in place.
"""
from __future__ import annotations

from datetime import timezone as dt_timezone
from functools import cache

from django.conf import settings

UTC_NAMES = frozenset({"UTC", "Etc/UTC"})


def _c_loader():
    """psycopg's C TimestamptzLoader, or None (the pure-Python psycopg has none)."""
    try:
        from psycopg import _cmodule
    except ImportError:  # pragma: no cover - not psycopg 3
        return None
    module = getattr(_cmodule, "_psycopg", None)
    return getattr(module, "TimestamptzLoader", None)


@cache
def _loader_class():
    """UtcTimestampLoader, or None where psycopg has no C loader (built once per process)."""
    from psycopg.adapt import Loader

    c_loader = _c_loader()
    if c_loader is None:
        return None

    class UtcTimestampLoader(Loader):
        """`timestamptz` text -> aware datetime in UTC, parsed in C."""

        timezone = dt_timezone.utc  # what Django's create_cursor compares with its own zone

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            # An instance attribute: psycopg calls it directly, no Python frame per value.
            self.load = c_loader(oid, context).load

        def load(self, data):  # pragma: no cover - shadowed by the instance's C `load`
            raise AssertionError("UtcTimestampLoader.load is the C loader's")

    return UtcTimestampLoader


def use_c_timestamps(sender=None, connection=None, **kwargs) -> bool:
    """connection_created: read this connection's `timestamptz` values in C (module doc).
    True when it did."""
    if connection is None or connection.vendor != "postgresql" or not settings.USE_TZ:
        return False
    raw = connection.connection
    if raw is None or raw.info.parameter_status("TimeZone") not in UTC_NAMES:
        return False
    loader = _loader_class()
    if loader is None:
        return False
    raw.adapters.register_loader("timestamptz", loader)
    return True
