"""Django's PostgreSQL backend with a health check that costs no roundtrip while the connection is quiet.

CONN_HEALTH_CHECKS (api/settings/database.py) makes Django run `SELECT 1` on a kept
connection before the first query of every request, so that a server restarted since
the last request costs no request an error. On the hot paths that is a roundtrip per
request: the phone's empty poll answers from one query and paid two.

A server that ends a connection says so: it sends its FATAL message (a restart, a
pg_terminate_backend, an idle timeout) and closes the socket, and the socket turns
readable. Between requests nothing else arrives on an idle connection: LISTEN is never
used here, and a notice or a parameter change comes with the statement that caused it.
So a kept connection that is idle, whose libpq state is OK and whose socket has nothing
to read is as good as `SELECT 1` would find it, and is used without asking; anything else
(readable, in a transaction, a bad state) gets Django's own check, and a dead connection is
replaced as before. A host that vanished without closing the socket looks quiet here and
would hang `SELECT 1` just the same: the request deadline (REQUEST_TIMEOUT_SECONDS,
api/middleware.py) bounds both, since no server is left to apply a statement timeout.

`prepared_cursor()` runs a statement whose SQL text is the same for every caller and whose
generic plan suits every one of them (the scope's memberships, api/access.py; the delta
probe and a step's one-row reads, api/rows.py; a step's UPDATE and timeline line,
tasks/services/transitions.py; the outbox's row and claim, api/outbox.py; a completion's
coordinators, notifications/services.py) as a statement the server binds and keeps
prepared on the connection: parsed and planned once, then only executed.

Planned once means the generic plan, so the connection sets plan_cache_mode to
force_generic_plan: left to choose, PostgreSQL compares the generic plan's estimate with
its custom plans' and kept planning the phone's first page on every request (its custom
estimate for a person with fewer rows than average came out a few units lower), 0.2 ms of
a 0.45 ms statement. The setting reaches nothing else: Django's own cursors bind on the
client, so the server plans their statements once for their values as before; the
trigger functions' statements read no parameters; a function that takes arguments pins
its own plan_cache_mode (tests/api/test_postgresql_backend.py checks both). It is why
only SQL whose generic plan suits every caller may be prepared (the delta probe, whose
best plan depends on how much the caller has, became a function of three steps with plans
that do: tasks migration 0009). Behind a pooler in transaction mode, which hands a
session's prepared statements to another client, set DB_PREPARED_STATEMENTS=0: nothing is
prepared and the setting is left alone.
"""
from __future__ import annotations

import select

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base, operations
from psycopg import ClientCursor, errors, pq


def connection_is_quiet(connection) -> bool:
    """An idle, healthy psycopg connection with nothing waiting on its socket (no roundtrip)."""
    try:
        pgconn = connection.pgconn
        if (connection.closed or pgconn.status != pq.ConnStatus.OK
                or pgconn.transaction_status != pq.TransactionStatus.IDLE):
            return False
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError, AttributeError):  # pragma: no cover - a socket already gone
        return False
    return not readable


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # psycopg keeps no query text for a prepared statement's run, where Django looks for
        # it: composed here instead (only when queries are logged or captured).
        if not isinstance(cursor, ClientCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:  # pragma: no cover - as Django's server-binding branch
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    @property
    def prepares(self) -> bool:
        return bool(getattr(settings, "DB_PREPARED_STATEMENTS", True)) and not self.pool

    def get_connection_params(self):
        params = super().get_connection_params()
        if self.prepares:  # prepared statements run their generic plan (module doc)
            params["options"] = f"{params.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.prepares:
            # Only cursors that bind on the server prepare; Django's bind on the client.
            connection.prepare_threshold = 0
        return connection

    def prepared_cursor(self):
        """A cursor whose statements the server binds and keeps prepared (Django's cursor()
        when preparing is off): what cursor() does, with a server-binding psycopg cursor."""
        if not self.prepares:
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = psycopg.Cursor(self.connection)
            tzloader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
            if self.timezone != tzloader.timezone:  # as Django's create_cursor
                base.register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)

    def close_if_health_check_failed(self):
        if (self.connection is not None and self.health_check_enabled and not self.health_check_done
                and not self.pool and connection_is_quiet(self.connection)):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
