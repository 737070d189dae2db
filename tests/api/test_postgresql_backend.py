"""Our PostgreSQL backend (api/postgresql/base.py): the kept connection's health check (no
roundtrip while the connection is quiet, Django's `SELECT 1` and a new connection once the
server ended it), and the hot statements it keeps prepared."""
import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's health check"),
]


@pytest.fixture
def kept():
    """A second connection to the test database, kept as a request would keep it."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


@pytest.fixture
def asked(monkeypatch):
    """How often Django's own check (`SELECT 1`) ran."""
    calls = []
    original = DjangoWrapper.is_usable

    def spy(self):
        calls.append(self)
        return original(self)

    monkeypatch.setattr(DjangoWrapper, "is_usable", spy)
    return calls


def start_request(wrapper):
    wrapper.health_check_done = False  # what close_old_connections does when a request starts


def test_the_settings_choose_this_backend(kept):
    assert type(kept).__module__ == "api.postgresql.base" and kept.health_check_enabled


def test_a_quiet_connection_is_used_without_asking_the_server(kept, asked):
    backend_pid = kept.connection.info.backend_pid
    for _ in range(3):
        start_request(kept)
        kept.close_if_health_check_failed()
        with kept.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] == backend_pid  # the same connection, kept
    assert asked == []


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(kept, asked):
    old_pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:  # an administrator (or a restart) ends it
        cursor.execute("SELECT pg_terminate_backend(%s)", [old_pid])
    deadline = time.monotonic() + 5
    from api.postgresql.base import connection_is_quiet

    while connection_is_quiet(kept.connection) and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye reaches the socket
    start_request(kept)
    kept.close_if_health_check_failed()
    assert asked == [kept] and kept.connection is None  # Django's check ran, and closed it
    with kept.cursor() as cursor:  # the request's first query gets a fresh connection, no error
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != old_pid


def test_a_connection_inside_a_transaction_gets_the_full_check(kept, asked):
    kept.connection.execute("BEGIN")
    try:
        start_request(kept)
        kept.close_if_health_check_failed()
        assert asked == [kept]
    finally:
        kept.connection.execute("ROLLBACK")


def prepared_statements(wrapper) -> list[str]:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_scopes_statement_is_prepared_once_per_connection_for_everyone(kept, monkeypatch):
    from api import access

    monkeypatch.setattr(access, "connections", {"default": kept})
    member_ids = [1, 2, 3]
    for member_id in member_ids:  # three people, one statement
        access._memberships_of(member_id)
    statements = [s for s in prepared_statements(kept) if "teams_membership" in s]
    assert len(statements) == 1 and "$1" in statements[0]
    with kept.cursor() as cursor:  # Django's own cursors bind on the client and prepare nothing
        for _ in range(10):
            cursor.execute("SELECT count(*) FROM teams_team WHERE id = %s", [7])
    assert not [s for s in prepared_statements(kept) if "teams_team WHERE" in s]


def test_preparing_can_be_turned_off_for_a_pooler(settings, monkeypatch):
    from api import access

    settings.DB_PREPARED_STATEMENTS = False
    wrapper = connections.create_connection("default")
    try:
        monkeypatch.setattr(access, "connections", {"default": wrapper})
        access._memberships_of(1)
        assert wrapper.connection.prepare_threshold is None and prepared_statements(wrapper) == []
    finally:
        wrapper.close()


def test_a_prepared_statements_run_is_logged_with_its_text(kept, monkeypatch):
    # psycopg keeps no text for a prepared statement's run: the backend composes it, so that
    # query logging and the suite's query counts read real SQL, not None.
    from django.test.utils import CaptureQueriesContext

    from api import access

    monkeypatch.setattr(access, "connections", {"default": kept})
    with CaptureQueriesContext(kept) as queries:
        access._memberships_of(424242)
        access._memberships_of(424243)
    texts = [q["sql"] for q in queries.captured_queries]
    assert len(texts) == 2 and all("teams_membership" in t for t in texts)
    assert "424242" in texts[0] and "424243" in texts[1]


def _plan_cache_mode(wrapper) -> str:
    with wrapper.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


def test_prepared_statements_run_their_generic_plan(kept, settings):
    # Planned once for every caller (module doc of api/postgresql/base.py); with preparing off
    # (a pooler) the server's own choice is left alone.
    assert _plan_cache_mode(kept) == "force_generic_plan"
    settings.DB_PREPARED_STATEMENTS = False
    wrapper = connections.create_connection("default")
    try:
        assert _plan_cache_mode(wrapper) == "auto"
    finally:
        wrapper.close()


def test_functions_that_take_arguments_pin_their_own_plan_cache_mode(kept):
    # The connection's force_generic_plan must not reach a function's statements that read its
    # arguments: such a function sets its own mode (tasks migration 0009). Trigger functions
    # take none, and their statements read only transition tables.
    with kept.cursor() as cursor:
        cursor.execute("""
            SELECT p.proname, p.pronargs, coalesce(p.proconfig, '{}') FROM pg_proc p
            JOIN pg_language l ON l.oid = p.prolang
            WHERE p.pronamespace = 'public'::regnamespace AND l.lanname IN ('plpgsql', 'sql')""")
        functions = cursor.fetchall()
    assert any(name == "tasks_own_assignments_changed_since" for name, _n, _c in functions)
    unpinned = [name for name, arguments, config in functions
                if arguments and not any(c.startswith("plan_cache_mode=") for c in config)]
    assert unpinned == []
