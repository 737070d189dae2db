"""Bad input is a 4xx naming the field, never a 500."""
from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import assignment_of


def _future():
    return (timezone.now() + timedelta(days=1)).isoformat()


@pytest.fixture
def coord(world, client_for):
    return client_for(world.coord_district)


def _task_body(world, **overrides):
    body = {"title": "Việc", "kind": "share", "platform": "facebook", "team": world.c1.pk, "due_at": _future()}
    body.update(overrides)
    return body


@pytest.mark.parametrize("field,value", [
    ("kind", "retweet"),
    ("platform", "myspace"),
    ("due_at", "ngày mai"),
    ("due_at", "2026-13-45T10:00:00Z"),
    ("due_at", "2020-01-01T00:00:00Z"),  # in the past
    ("reference_url", "javascript:alert(1)"),
    ("reference_url", "ftp://example.org/a"),
    ("reference_url", "https://example.org/" + "a" * 2000),
    ("title", ""),
    ("title", "x" * 201),
    ("team", 999999),
    ("team", "abc"),
    ("priority", "urgent"),
    ("campaign", 999999),
])
def test_task_create_bad_field(world, coord, field, value):
    response = coord.post("/api/v1/tasks/", _task_body(world, **{field: value}), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == 400 and field in body["errors"], body


def test_task_create_needs_kind_platform_team(world, coord):
    response = coord.post("/api/v1/tasks/", {"title": "Việc"}, format="json")
    assert response.status_code == 400
    assert {"kind", "platform", "team"} <= set(response.json()["errors"])


def test_task_campaign_must_cover_the_tasks_team(world, coord, campaign_c2):
    response = coord.post("/api/v1/tasks/", _task_body(world, campaign=campaign_c2.pk), format="json")
    assert response.status_code == 400 and "campaign" in response.json()["errors"]


def test_a_campaign_above_the_team_is_fine(world, client_for):
    from tests.factories import CampaignFactory

    district_campaign = CampaignFactory(team=world.district)
    response = client_for(world.coord_c1).post("/api/v1/tasks/", _task_body(world, campaign=district_campaign.pk),
                                               format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("body,field", [
    ({"team": 1}, "team"),
    ({"status": "cancelled"}, "status"),
    ({"status": "done"}, "status"),
    ({"due_at": "2020-01-01T00:00:00Z"}, "due_at"),
    ({"kind": "retweet"}, "kind"),
])
def test_task_patch_bad_field(world, coord, task_c1, body, field):
    response = coord.patch(f"/api/v1/tasks/{task_c1.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


@pytest.mark.parametrize("body,field", [
    ({}, "teams"),
    ({"teams": []}, "teams"),
    ({"teams": "abc"}, "teams"),
    ({"teams": [999999]}, "teams"),
    ({"members": [999999]}, "members"),
    ({"teams": ["x"]}, "teams"),
])
def test_assign_bad_body(world, coord, task_c1, body, field):
    response = coord.post(f"/api/v1/tasks/{task_c1.pk}/assign/", body, format="json")
    assert response.status_code == 400, response.content
    assert any(key.startswith(field) for key in response.json()["errors"]), response.json()


@pytest.mark.parametrize("target", ["other_district", "c2", "province"])
def test_assign_targets_outside_scope_or_subtree(world, client_for, task_c1, target):
    response = client_for(world.coord_c1).post(f"/api/v1/tasks/{task_c1.pk}/assign/",
                                               {"teams": [getattr(world, target).pk]}, format="json")
    assert response.status_code == 400 and "teams" in "".join(response.json()["errors"])


@pytest.mark.parametrize("member", ["member_v2a", "coord_other_district", "outsider", "inactive_v1a"])
def test_assign_members_outside_scope_or_subtree(world, client_for, task_c1, member):
    response = client_for(world.coord_c1).post(f"/api/v1/tasks/{task_c1.pk}/assign/",
                                               {"members": [getattr(world, member).pk]}, format="json")
    assert response.status_code == 400 and "members" in "".join(response.json()["errors"])


@pytest.mark.parametrize("evidence", [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "ftp://example.org/file",
    "file:///etc/passwd",
    "not a url",
    "https://example.org/" + "a" * 2000,
    "",
    None,
])
def test_complete_evidence_must_be_an_http_url(world, client_for, task_c1, evidence):
    a = assignment_of(task_c1, world.member_v1a)
    body = {} if evidence is None else {"evidence_url": evidence}
    response = client_for(world.member_v1a).post(f"/api/v1/assignments/{a.pk}/complete/", body, format="json")
    assert response.status_code == 400, response.content
    assert "evidence_url" in response.json()["errors"]
    a.refresh_from_db()
    assert a.status == "assigned"


@pytest.mark.parametrize("step,actor", [("decline", "member_v1a"), ("reject", "coord_c1")])
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 2001}])
def test_reason_required(world, client_for, task_c1, step, actor, body):
    from tasks import services

    a = assignment_of(task_c1, world.member_v1a)
    if step == "reject":
        services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/1")
    response = client_for(getattr(world, actor)).post(f"/api/v1/assignments/{a.pk}/{step}/", body, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]


def test_someone_elses_assignment_is_404(world, client_for, task_c1):
    a = assignment_of(task_c1, world.member_v1a_2)
    client = client_for(world.member_v1a)
    for path in ["", "events/"]:
        assert client.get(f"/api/v1/assignments/{a.pk}/{path}").status_code == 404
    for step in ["start", "complete", "decline"]:
        response = client.post(f"/api/v1/assignments/{a.pk}/{step}/", {"evidence_url": "https://x.vn"},
                               format="json")
        assert response.status_code == 404
        assert response.json() == {"status": 404, "code": "not_found", "detail": response.json()["detail"],
                                   "errors": {}}


@pytest.mark.parametrize("path,params,field", [
    ("/api/v1/tasks/", {"status": "done"}, "status"),
    ("/api/v1/tasks/", {"kind": "retweet"}, "kind"),
    ("/api/v1/tasks/", {"platform": "myspace"}, "platform"),
    ("/api/v1/tasks/", {"updated_since": "hôm qua"}, "updated_since"),
    ("/api/v1/tasks/", {"within": "abc"}, "within"),
    ("/api/v1/tasks/", {"page_size": "0"}, "page_size"),
    ("/api/v1/assignments/", {"status": "finished"}, "status"),
    ("/api/v1/assignments/", {"due_before": "tomorrow"}, "due_before"),
    ("/api/v1/assignments/", {"due_after": "2026-02-30"}, "due_after"),
    ("/api/v1/assignments/", {"updated_since": "x"}, "updated_since"),
    ("/api/v1/assignments/", {"mine": "perhaps"}, "mine"),
    ("/api/v1/assignments/", {"task": "abc"}, "task"),
    ("/api/v1/campaigns/", {"updated_since": "x"}, "updated_since"),
    ("/api/v1/campaigns/", {"team": "abc"}, "team"),
])
def test_bad_filters(world, coord, path, params, field):
    response = coord.get(path, params)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_within_a_team_outside_scope_is_400(world, client_for):
    response = client_for(world.coord_c1).get("/api/v1/assignments/", {"within": world.c2.pk})
    assert response.status_code == 400 and "within" in response.json()["errors"]


@pytest.mark.parametrize("body,field", [
    ({"name": "", "team": None}, "name"),
    ({"name": "C", "team": 999999}, "team"),
    ({"name": "C", "team": 0, "starts_at": "x"}, "starts_at"),
])
def test_campaign_bad_input(world, coord, body, field):
    if body.get("team") == 0:
        body["team"] = world.c1.pk
    response = coord.post("/api/v1/campaigns/", body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"]


def test_campaign_cannot_end_before_it_starts(world, coord, campaign_c1):
    response = coord.post("/api/v1/campaigns/", {"name": "C", "team": world.c1.pk,
                                                  "starts_at": "2026-12-10T00:00:00+07:00",
                                                  "ends_at": "2026-12-01T00:00:00+07:00"}, format="json")
    assert response.status_code == 400 and "ends_at" in response.json()["errors"]
    campaign_c1.starts_at = timezone.now()
    campaign_c1.save()
    response = coord.patch(f"/api/v1/campaigns/{campaign_c1.pk}/",
                           {"ends_at": (timezone.now() - timedelta(days=3)).isoformat()}, format="json")
    assert response.status_code == 400 and "ends_at" in response.json()["errors"]


def test_campaign_cannot_move_away_from_its_tasks(world, coord, task_c1, campaign_c1):
    response = coord.patch(f"/api/v1/campaigns/{campaign_c1.pk}/", {"team": world.c2.pk}, format="json")
    assert response.status_code == 400 and "team" in response.json()["errors"]
    response = coord.patch(f"/api/v1/campaigns/{campaign_c1.pk}/", {"team": world.district.pk}, format="json")
    assert response.status_code == 200 and response.json()["team"] == world.district.pk


def test_english_error_messages(world, client_for, task_c1):
    a = assignment_of(task_c1, world.member_v1a)
    response = client_for(world.member_v1a).post(f"/api/v1/assignments/{a.pk}/decline/", {}, format="json",
                                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"]["reason"] == ["This field is required."]


HUGE = "99999999999999999999"


@pytest.mark.parametrize("method,path,body", [
    ("get", f"/api/v1/tasks/{HUGE}/", None),
    ("get", f"/api/v1/assignments/{HUGE}/events/", None),
    ("post", f"/api/v1/assignments/{HUGE}/verify/", {}),
    ("patch", f"/api/v1/campaigns/{HUGE}/", {"name": "x"}),
    ("get", "/api/v1/tasks/abc/", None),
])
def test_ids_that_cannot_exist_are_404(world, coord, method, path, body):
    response = getattr(coord, method)(path, body, format="json") if body is not None else coord.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("params", [
    {"task": HUGE}, {"task": "1.5"}, {"team": "-1"}, {"assignee": HUGE}, {"campaign": "1e3"}, {"team": "0"},
])
def test_ids_in_filters_must_be_whole_numbers_in_range(world, coord, task_c1, params):
    for path in ["/api/v1/assignments/", "/api/v1/tasks/", "/api/v1/campaigns/"]:
        names = {"/api/v1/tasks/": {"team", "campaign"}, "/api/v1/campaigns/": {"team"}}
        if path in names and not set(params) <= names[path]:
            continue
        response = coord.get(path, params)
        assert response.status_code == 400, response.content
        assert set(params) <= set(response.json()["errors"])


@pytest.mark.parametrize("body", [{"members": [int(HUGE)]}, {"teams": [int(HUGE)]}, {"teams": [None]},
                                  {"teams": [{"id": 1}]}])
def test_assign_odd_ids_are_400(world, coord, task_c1, body):
    response = coord.post(f"/api/v1/tasks/{task_c1.pk}/assign/", body, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("body", [["a"], "text", 5])
def test_bodies_that_are_not_objects(world, coord, task_c1, body):
    response = coord.post(f"/api/v1/tasks/{task_c1.pk}/assign/", body, format="json")
    assert response.status_code == 400
    response = coord.patch(f"/api/v1/tasks/{task_c1.pk}/", body, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/tasks/", "/api/v1/campaigns/", "/api/v1/tasks/{task}/assign/"])
def test_task_and_campaign_bodies_are_json(world, coord, task_c1, path):
    response = coord.post(path.format(task=task_c1.pk), {"members": [str(world.member_v1a.pk)] * 1500},
                          format="multipart")
    assert response.status_code == 415
    assert response.json()["status"] == 415
