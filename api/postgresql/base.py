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
would hang `SELECT 1` just the same: the connect and statement timeouts bound both.
"""
from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


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


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (self.connection is not None and self.health_check_enabled and not self.health_check_done
                and not self.pool and connection_is_quiet(self.connection)):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
