"""Dependencies that are down or slow: the API keeps answering, or says 503 in JSON with
Retry-After; /readyz names what failed; nothing hangs to gunicorn's kill."""
import socket
import time

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from api.celery import app
from api.models import OutboxMessage
from tests.celery_conf import configure
from tests.factories import PASSWORD, TaskFactory


@pytest.fixture
def black_hole():
    """A port that accepts connections and never answers: a frozen (SIGSTOPped) server."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(128)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def closed_port():
    """A port nothing listens on: a server that is down."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def redis_cache(settings, port, timeout=0.2):
    settings.CACHES = {"default": {
        "BACKEND": "api.cache.ResilientRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
    }}


def login(client, world):
    return client.post("/api/v1/auth/token/", {"phone": world.coord_c1.phone, "password": PASSWORD},
                       format="json")


def assert_json_503(response):
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503 and body["code"] == "service_unavailable" and body["detail"]
    return body


# Redis: throttles fall back to process memory ----------------------------------------------

@pytest.mark.parametrize("fault", ["closed_port", "black_hole"])
def test_the_api_answers_reads_and_writes_while_redis_is_down_or_frozen(world, settings, request, fault):
    from rest_framework.test import APIClient

    redis_cache(settings, request.getfixturevalue(fault))
    client = APIClient()
    tokens = login(client, world)  # the login throttles read the cache before the view
    assert tokens.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    from api.cache import fallback_state

    tried = fallback_state()["fallbacks"]
    started = time.monotonic()
    for _ in range(10):
        assert client.get("/api/v1/tasks/").status_code == 200
    task = client.post("/api/v1/tasks/", {"title": "Việc", "kind": "share", "platform": "facebook",
                                          "team": world.c1.pk}, format="json")
    assert task.status_code == 201
    # one short timeout, then the breaker answers from memory without touching the network
    # (counted, not timed: a busy machine may outlast one CACHE_RETRY_SECONDS window, no more)
    windows = 1 + int((time.monotonic() - started) / settings.CACHE_RETRY_SECONDS)
    assert fallback_state()["fallbacks"] - tried <= windows
    assert client.get("/api/schema/").status_code == 200


def test_throttles_keep_counting_while_redis_is_away(world, settings, closed_port):
    from rest_framework.test import APIClient

    from api.cache import fallback_state

    redis_cache(settings, closed_port)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "login_address": "3/min"}}
    from django.core.cache import cache

    cache._memory.clear()  # the process's fallback counts: other tests logged in from this address
    before = fallback_state()["fallbacks"]
    wrong = {"phone": world.coord_c1.phone, "password": "not-the-password"}
    answers = [APIClient().post("/api/v1/auth/token/", wrong, format="json").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]  # the local fallback still limits failed logins
    assert fallback_state()["fallbacks"] > before


# Timeouts -----------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_that_takes_too_long_is_cancelled_and_answered_503(world, client_for, monkeypatch):
    from tasks import views

    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] != "0"  # set on every connection by the settings
        cursor.execute("SET statement_timeout = 300")

    def slow_list(self, request, *args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(10)")

    monkeypatch.setattr(views.TaskViewSet, "list", slow_list)
    started = time.monotonic()
    response = client_for(world.coord_c1).get("/api/v1/tasks/")
    assert time.monotonic() - started < 3
    assert assert_json_503(response)["dependency"] == "database"
    connection.close()


def test_the_database_settings_bound_connects_and_statements(settings):
    db = settings.DATABASES["default"]
    assert db["CONN_HEALTH_CHECKS"] is True
    if db["ENGINE"].endswith("postgresql"):
        assert db["OPTIONS"]["connect_timeout"] == settings.DB_CONNECT_TIMEOUT
        assert f"statement_timeout={settings.DB_STATEMENT_TIMEOUT_MS}" in db["OPTIONS"]["options"]
    assert 0 < settings.REQUEST_TIMEOUT_SECONDS < 30  # below gunicorn's kill


@pytest.mark.django_db(transaction=True)  # the connections are dropped at the deadline
def test_a_request_past_its_deadline_is_a_json_503_not_a_hang(world, client_for, settings, monkeypatch):
    from tasks import views

    # The deadline must fall inside the frozen view, not in the middleware before it: on a busy
    # machine authentication alone can take half a second, and an alarm in the middle of an
    # SQLite statement leaves the in-memory test database locked for every later test.
    settings.REQUEST_TIMEOUT_SECONDS = 2

    def frozen(self, request, *args, **kwargs):
        time.sleep(20)  # a dependency that never answers

    monkeypatch.setattr(views.TaskViewSet, "list", frozen)
    started = time.monotonic()
    response = client_for(world.coord_c1).get("/api/v1/tasks/")
    assert time.monotonic() - started < 6
    assert assert_json_503(response)["dependency"] == "timeout"
    monkeypatch.undo()
    assert client_for(world.coord_c1).get("/api/v1/tasks/").status_code == 200  # and the next one works


def test_a_database_error_in_a_view_is_a_json_503(world, client_for, monkeypatch):
    from tasks import views

    def down(self, request, *args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(views.TaskViewSet, "list", down)
    assert assert_json_503(client_for(world.coord_c1).get("/api/v1/tasks/"))["dependency"] == "database"


def test_a_database_error_outside_any_view_is_a_json_503_too(world, client_for, monkeypatch):
    from api import conditional

    def down(self, request):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(conditional.ConditionalGetMiddleware, "__call__", down)
    client = client_for(world.coord_c1)
    client.raise_request_exception = False
    assert_json_503(client.get("/api/v1/tasks/"))


# The broker ----------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", ["closed_port", "black_hole"])
def test_broker_trouble_never_blocks_or_fails_a_request(world, client_for, request, fault):
    from api import outbox

    port = request.getfixturevalue(fault)
    saved = configure(task_always_eager=False, broker_url=f"redis://127.0.0.1:{port}/0")
    try:
        task = TaskFactory(team=world.c1, created_by=world.coord_c1)
        client = client_for(world.coord_c1)
        started = time.monotonic()
        response = client.post(f"/api/v1/tasks/{task.pk}/assign/", {"teams": [world.c1.pk]}, format="json")
        assert response.status_code == 200
        assert time.monotonic() - started < 1.5  # the hand-over runs beside the request
        # this request's message (a slow teardown of the previous case may still hold its own row)
        assert OutboxMessage.objects.filter(kind="tasks.assigned", done_at__isnull=True,
                                            key__startswith=f"tasks.assigned:{task.pk}:").count() == 1
        deadline = time.monotonic() + 15
        while outbox._publisher.failures == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert outbox._publisher.failures > 0  # tried, failed, left to the relay
    finally:
        # the publisher thread is done with the frozen broker before eager mode comes back
        assert outbox._publisher.wait_idle(30)
        configure(**saved)


# /readyz -------------------------------------------------------------------------------------

def test_readyz_is_200_when_everything_answers(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "cache", "broker"}


def test_readyz_names_the_cache_when_redis_is_down(client, db, settings, closed_port):
    redis_cache(settings, closed_port)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["cache"]
    assert response["Retry-After"]


def test_readyz_names_the_broker_when_it_is_frozen(client, db, settings, black_hole):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{black_hole}/0"
    saved = configure(broker_url=settings.CELERY_BROKER_URL)
    try:
        started = time.monotonic()
        response = client.get("/readyz")
        assert time.monotonic() - started < 3
    finally:
        configure(**saved)
    assert response.status_code == 503 and response.json()["failed"] == ["broker"]


def test_readyz_names_the_database_and_does_not_hang_with_it(client, db, monkeypatch):
    from api import views

    monkeypatch.setattr(views, "_check_database", lambda: time.sleep(5))
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"] and response.json()["checks"]["database"] == "timeout"


def test_healthz_stays_cheap(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get("/healthz").status_code == 200
    assert timezone.now()  # no cache, no broker: liveness only
