"""Send the reads of reports to a read replica, when one is configured.

Reports are long aggregate reads that can lag the primary by a moment without
harm; sending them to a streaming replica keeps the primary free for the writes
of the mobile flow. Everything else (and every write) stays on `default`.

Set `DATABASE_REPLICA_URL` and settings add a `replica` alias and set
`READ_REPLICA_ALIAS = "replica"`. Without it, all of this is a no-op and every
query goes to `default`, so code may use it unconditionally:

    with reading_from_replica():            # a selector or a service
        stats = Assignment.objects.filter(...).aggregate(...)

    class TeamStatsView(ReplicaReadMixin, APIView):   # a whole view's reads
        ...

The flag lives in a ContextVar, so it is per thread and per asyncio task:
concurrent requests in one process never see each other's choice.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_alias() -> str:
    """The alias report reads go to: the replica when configured, else `default`."""
    alias = getattr(settings, "READ_REPLICA_ALIAS", None)
    return alias if alias and alias in settings.DATABASES else DEFAULT_DB_ALIAS


@contextmanager
def reading_from_replica():
    """Reads made inside this block go to the replica (writes never do)."""
    token = _reading_from_replica.set(True)
    try:
        yield replica_alias()
    finally:
        _reading_from_replica.reset(token)


class ReplicaReadMixin:
    """A DRF view whose reads (queryset, permission checks, serializer) all go to the replica.

    Only for views that never write: a write inside would still go to the
    primary, but a read right after it could miss it on a lagging replica.
    """

    def dispatch(self, request, *args, **kwargs):
        with reading_from_replica():
            return super().dispatch(request, *args, **kwargs)


class ReplicaRouter:
    """Reads flagged by `reading_from_replica()` go to the replica; nothing else is routed."""

    def db_for_read(self, model, **hints):
        if _reading_from_replica.get():
            alias = replica_alias()
            if alias != DEFAULT_DB_ALIAS:
                return alias
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS if replica_alias() != DEFAULT_DB_ALIAS else None

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects read from either may be related.
        aliases = {DEFAULT_DB_ALIAS, replica_alias()}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica receives its schema by replication, never by `migrate`.
        if db != DEFAULT_DB_ALIAS and db == replica_alias():
            return False
        return None
