"""The database (DATABASE_URL), the read replica, and every timeout on a dependency."""
# Reads the settings made before it (the order is api/settings/__init__.py's).
from .core import *  # noqa: F401,F403
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

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
        # Django's backend, with a health check that asks the server only when the socket
        # says something happened (api/postgresql/base.py): a quiet kept connection costs none.
        _db["ENGINE"] = "api.postgresql"
        _options = _db.setdefault("OPTIONS", {})
        _settings = f"-c jit=off -c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
        _options["options"] = f"{_options.get('options', '')} {_settings}".strip()
        _options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
# The scope's memberships and the delta probe as server-prepared statements (api/postgresql);
# 0 behind a pooler in transaction mode, which does not keep a session's statements.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
REQUEST_TIMEOUT_SECONDS = env_float("REQUEST_TIMEOUT_SECONDS", 20.0)
# Retry-After (seconds) on the 503 a dependency that is down or slow gives.
UNAVAILABLE_RETRY_AFTER = env_int("UNAVAILABLE_RETRY_AFTER", 5)
READ_REPLICA_ALIAS = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["api.db_routers.ReplicaRouter"]

