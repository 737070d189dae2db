"""Every edge a client can reach under /api/ answers in JSON, in the one error shape.

Unknown paths, a bad Host and a path without its trailing slash, with DEBUG on and off;
dates at the edges of the calendar; a bad cursor on both keyset lists; CORS headers; the
offset of times in notifications. The suite runs on SQLite and on PostgreSQL (.ci/run).
"""
import base64
import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from api.exceptions import ERROR_CODES
from notifications.choices import NotificationKind
from notifications.models import Notification
from tasks import services
from tasks.choices import Platform, TaskKind
from tasks.models import Task

DEBUG_ON_AND_OFF = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])


def error_body(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["status"] == status and body["code"] in ERROR_CODES and body["detail"]
    return body


@pytest.fixture
def task(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _task(world)


def _task(world):
    task = services.task_create(actor=world.coord_c1, title="Chia sẻ bài viết", team=world.c1,
                                kind=TaskKind.SHARE, platform=Platform.FACEBOOK,
                                instructions="Chia sẻ về trang cá nhân.", due_at=timezone.now() + timedelta(days=1))
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    return task


# Unknown paths, bad Host, missing slash ----------------------------------------------

@DEBUG_ON_AND_OFF
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/teams/1/nothing/", "/api/nope",
                                  "/api/v1/teams/1/stats/nothing/"])
def test_unknown_paths_are_json_404s(world, client_for, debug, path):
    with override_settings(DEBUG=debug):
        for method in ("get", "post", "delete"):
            response = getattr(client_for(world.coord_c1), method)(path, HTTP_ACCEPT_LANGUAGE="en")
            assert error_body(response, 404)["code"] == "not_found"


@DEBUG_ON_AND_OFF
def test_a_host_the_server_does_not_serve_is_a_json_400(world, client_for, debug):
    with override_settings(DEBUG=debug, ALLOWED_HOSTS=["api.example.org"]):
        response = client_for(world.coord_c1).get("/api/v1/teams/", HTTP_HOST="evil.example.net")
        assert error_body(response, 400)["code"] == "bad_request"
        response = client_for(None).post("/api/v1/auth/token/", {}, format="json", HTTP_HOST="evil.example.net")
        assert error_body(response, 400)["code"] == "bad_request"


@DEBUG_ON_AND_OFF
def test_a_path_without_its_slash_answers_like_with_it(world, client_for, task, debug):
    client = client_for(world.coord_c1)
    with override_settings(DEBUG=debug):
        listed, bare = client.get("/api/v1/tasks/"), client.get("/api/v1/tasks")
        assert bare.status_code == 200 and bare.json()["count"] == listed.json()["count"] == 1
        assert client.get(f"/api/v1/tasks/{task.pk}").json()["id"] == task.pk
        created = client.post("/api/v1/tasks", {"title": "Bài mới", "kind": "post", "platform": "zalo",
                                                "team": world.c1.pk}, format="json")
        assert created.status_code == 201, created.content  # no 301 that drops the body, no 500
        assert Task.objects.filter(title="Bài mới").count() == 1
        changed = client.patch(f"/api/v1/tasks/{task.pk}", {"title": "Đổi tên"}, format="json")
        assert changed.status_code == 200 and changed.json()["title"] == "Đổi tên"
        assigned = client.post(f"/api/v1/tasks/{task.pk}/assign", {"teams": [world.v1b.pk]}, format="json")
        assert assigned.status_code == 200 and assigned.json()["created"] == 1
        stats = client.get(f"/api/v1/teams/{world.c1.pk}/stats")
        assert stats.status_code == 200 and stats.json()["assignments"]["total"] == 3
        # Errors are the same answer too: a wrong body is the 400 the slashed path gives.
        bad = client.post("/api/v1/tasks", {"title": ""}, format="json")
        assert error_body(bad, 400)["errors"].keys() == client.post("/api/v1/tasks/", {"title": ""},
                                                                     format="json").json()["errors"].keys()
        login = client_for(None).post("/api/v1/auth/token", {"phone": world.member_v1a.phone,
                                                             "password": "wrong"}, format="json")
        assert error_body(login, 401)["code"] == "authentication_failed"


def test_method_not_allowed_and_a_route_without_the_method_are_json(world, client_for):
    response = client_for(world.coord_c1).put(f"/api/v1/teams/{world.c1.pk}/", {}, format="json")
    assert error_body(response, 405)["code"] == "method_not_allowed"


# Dates at the edges of the calendar ------------------------------------------------------

EDGE_MOMENTS = ["0001-01-01", "0001-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z",
                "9999-12-31", "9999-12-31T23:59:59", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59.999999Z"]
EDGE_DAYS = ["0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31"]


def _query(value):
    return value.replace("+", "%2B")


@pytest.mark.parametrize("path", [
    "/api/v1/tasks/?updated_since={}", "/api/v1/campaigns/?updated_since={}",
    "/api/v1/assignments/?updated_since={}", "/api/v1/assignments/?due_before={}",
    "/api/v1/assignments/?due_after={}", "/api/v1/notifications/?updated_since={}",
])
def test_edge_moments_in_list_filters_are_a_400_or_an_answer_never_a_500(world, client_for, task, path):
    client = client_for(world.coord_c1)
    for value in EDGE_MOMENTS:
        response = client.get(path.format(_query(value)), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code in (200, 400), (value, response.content[:200])
        if response.status_code == 400:
            assert error_body(response, 400)["errors"], value


def test_the_edge_of_the_calendar_is_named_in_the_request_language(world, client_for):
    client = client_for(world.coord_c1)
    english = client.get("/api/v1/tasks/?updated_since=0001-01-01T00:00:00%2B14:00", HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = client.get("/api/v1/tasks/?updated_since=0001-01-01T00:00:00%2B14:00", HTTP_ACCEPT_LANGUAGE="vi")
    assert error_body(english, 400)["errors"]["updated_since"] == ["Use a date between 0001-01-02 and 9999-12-30."]
    assert error_body(vietnamese, 400)["errors"]["updated_since"] != english.json()["errors"]["updated_since"]


@pytest.mark.parametrize("report", ["stats/", "stats/children/", "stats/daily/", "stats/members/"])
def test_edge_days_in_report_filters_are_a_400_or_an_answer_never_a_500(world, client_for, task, report):
    client = client_for(world.coord_c1)
    for value in EDGE_DAYS:
        for query in (f"since={value}", f"until={value}", f"since={value}&until={value}"):
            response = client.get(f"/api/v1/teams/{world.c1.pk}/{report}?{query}")
            assert response.status_code in (200, 400), (query, response.content[:200])
    response = client.get(f"/api/v1/teams/{world.c1.pk}/stats/?until=9999-12-31")
    assert error_body(response, 400)["errors"]["until"]
    response = client.get(f"/api/v1/campaigns/1/stats/?since=0001-01-01")
    assert response.status_code in (400, 404)


def test_edge_moments_in_bodies_are_a_400_naming_the_field(world, client_for, task):
    client = client_for(world.coord_c1)
    for value in EDGE_MOMENTS:
        created = client.post("/api/v1/tasks/", {"title": "t", "kind": "post", "platform": "zalo",
                                                 "team": world.c1.pk, "due_at": value}, format="json")
        assert created.status_code in (201, 400), (value, created.content[:200])
        if created.status_code == 400:
            assert "due_at" in created.json()["errors"], value
        changed = client.patch(f"/api/v1/tasks/{task.pk}/", {"due_at": value}, format="json")
        assert changed.status_code in (200, 400), value
        campaign = client.post("/api/v1/campaigns/", {"name": "c", "team": world.c1.pk, "starts_at": value,
                                                      "ends_at": value}, format="json")
        assert campaign.status_code in (201, 400), value
    kept = client.post("/api/v1/tasks/", {"title": "t", "kind": "post", "platform": "zalo", "team": world.c1.pk,
                                          "due_at": "9999-12-30T00:00:00+00:00"}, format="json")
    assert kept.status_code == 201 and kept.json()["due_at"] == "9999-12-30T07:00:00+07:00"


# One answer and one language for a bad cursor ----------------------------------------

@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_bad_cursor_is_the_same_400_on_every_keyset_list(world, client_for, task, language):
    client = client_for(world.member_v1a)
    forged = base64.urlsafe_b64encode(json.dumps({"p": ["x"], "r": False, "o": "-id"}).encode()).decode()
    answers = []
    for path in ["/api/v1/assignments/", "/api/v1/notifications/"]:
        for cursor in ["not-a-cursor", forged, "%00"]:
            body = error_body(client.get(f"{path}?cursor={cursor}", HTTP_ACCEPT_LANGUAGE=language), 400)
            assert body["code"] == "invalid" and list(body["errors"]) == ["cursor"]
            answers.append((body["detail"], body["errors"]["cursor"]))
    assert len(set(map(str, answers))) == 1
    english = "Invalid cursor: use the next or previous link of the list as given, with the same ordering."
    assert (answers[0][1] == [english]) == (language == "en")


def test_the_notification_feed_follows_its_cursors(world, client_for):
    for n in range(5):
        Notification.objects.create(recipient=world.member_v1a, kind=NotificationKind.ASSIGNED,
                                    params={"task": f"Việc {n}"})
    client = client_for(world.member_v1a)
    seen, url = [], "/api/v1/notifications/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["params"]["task"] for row in page["results"]]
        url = page["next"]
    assert seen == [f"Việc {n}" for n in reversed(range(5))]


# CORS ----------------------------------------------------------------------------------

@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.org"])
def test_cors_allows_the_contracts_request_headers_and_exposes_its_response_headers(world, client_for, task):
    client = client_for(world.coord_c1)
    preflight = client.options("/api/v1/tasks/1/", HTTP_ORIGIN="https://app.example.org",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
                               HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-match, idempotency-key")
    allowed = {h.strip() for h in preflight["Access-Control-Allow-Headers"].split(",")}
    assert {"if-match", "if-none-match", "idempotency-key", "accept-language", "authorization"} <= allowed
    listed = client.get("/api/v1/tasks/", HTTP_ORIGIN="https://app.example.org")
    exposed = {h.strip() for h in listed["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "X-Sync-Cursor", "Idempotent-Replayed", "Retry-After"} <= exposed
    assert listed["Access-Control-Allow-Origin"] == "https://app.example.org"
    stranger = client.get("/api/v1/tasks/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in stranger
    missing = client.get("/api/v1/nothing/", HTTP_ORIGIN="https://app.example.org")
    assert missing.status_code == 404 and missing["Access-Control-Allow-Origin"] == "https://app.example.org"


# Times in notifications --------------------------------------------------------------

def test_times_in_notifications_have_the_offset_of_every_other_time(world, client_for, task):
    client = client_for(world.member_v1a)
    row = client.get("/api/v1/notifications/").json()["results"][0]
    assignment = client.get("/api/v1/assignments/?mine=true").json()["results"][0]
    assert row["kind"] == "assigned" and row["params"]["task"] == "Chia sẻ bài viết"
    assert row["params"]["due_at"] == assignment["task"]["due_at"]  # the same moment, written the same way
    assert row["params"]["due_at"].endswith("+07:00") and row["created_at"].endswith("+07:00")
    assert row["params"]["reason"] is None and row["params"]["count"] is None
