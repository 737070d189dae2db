"""The hot lists (api/rows.py: values() rows shaped by plain functions, rendered by orjson) serve
exactly what their serializers document.

For each hot path (the coordinator's assignment list, the member's `mine=true` feed, the task
list, the notification feed), on representative rows (with and without the optional fields,
inline content and channel, offline quantities, an evidence image, reviews, a task still to be
published), the served JSON

- equals, row for row, what the serializer that documents it writes for the same objects;
- validates against the response schema of the OpenAPI document the server serves
  (jsonschema, with OpenAPI 3.0's `nullable` turned into JSON Schema and objects closed:
  a key the schema does not name is a failure too).
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from rest_framework.renderers import JSONRenderer

from notifications.models import Notification
from notifications.serializers import NotificationSerializer
from publishing.models import Channel, ContentItem, TaskPublication
from tasks import selectors
from tasks.models import Campaign, Topic
from tasks.serializers import AssignmentSerializer, TaskSerializer
from tests.factories import AssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db

ROOT = "urn:served-openapi"


def _json_schema(node):
    """OpenAPI 3.0 schema objects -> JSON Schema 2020-12 (nullable; closed objects)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if "properties" in out and "additionalProperties" not in out and out.get("type") == "object":
        out["additionalProperties"] = False
    if node.get("nullable"):
        if any(key in out for key in ("allOf", "anyOf", "oneOf", "$ref")):
            out = {"anyOf": [out, {"type": "null"}]}  # drf-spectacular's nullable reference
        elif "type" in out:
            kinds = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*kinds, "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@pytest.fixture
def served_schema(api, world):
    response = api.as_user(world.coord_district).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return _json_schema(json.loads(response.content))


def validate(schema, path, body):
    pointer = "/".join(["#", "paths", path.replace("~", "~0").replace("/", "~1"), "get", "responses", "200",
                        "content", "application~1json", "schema"])
    registry = Registry().with_resource(ROOT, Resource.opaque(schema))
    validator = Draft202012Validator({"$ref": f"{ROOT}{pointer}"}, registry=registry)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def serialized(serializer_class, objects, request):
    data = serializer_class(objects, many=True, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def rows(world):
    """Assignments and tasks with every optional part filled in some and empty in others."""
    now = timezone.now()
    team = world.v1a
    topic = Topic.objects.create(team=world.district, name="Cảnh báo lừa đảo")
    campaign = Campaign.objects.create(team=world.district, name="Tháng an toàn", topic=topic)
    content = ContentItem.objects.create(team=world.district, title="Tài liệu", body="Nội dung\u2028dòng",
                                         links=["https://congan.vn/1", "https://congan.vn/2"], status="approved",
                                         created_by=world.coord_district, reviewed_by=world.superuser)
    channel = Channel.objects.create(team=team, platform="facebook", name="Trang thôn", kind="page",
                                     url="https://facebook.com/thon-1")
    online = TaskFactory(team=team, created_by=world.coord_district, due_at=now - timedelta(hours=1),
                         instructions="Chia sẻ bài viết", campaign=campaign, topic=topic, priority="high")
    TaskPublication.objects.create(task=online, channel=channel, content=content)
    offline = TaskFactory(team=world.c1, created_by=world.coord_c1, kind="offline", platform="other",
                          unit="tờ rơi", reference_url="")
    later = TaskFactory(team=team, created_by=world.coord_district, publish_at=now + timedelta(days=1),
                        due_at=now + timedelta(days=2))
    channel_only = TaskFactory(team=world.v1b, created_by=world.coord_district)
    TaskPublication.objects.create(task=channel_only, channel=None, content=None)

    made = [
        AssignmentFactory(task=online, assignee=world.member_v1a, team=team),
        AssignmentFactory(task=online, assignee=world.member_v1a_2, team=team, status="completed",
                          evidence_url="https://facebook.com/p/1", evidence_image="evidence/2026/01/shot.png",
                          note="Đã chia sẻ", started_at=now - timedelta(hours=3), completed_at=now),
        AssignmentFactory(task=offline, assignee=world.member_v1a, team=team, status="verified", quantity=120,
                          completed_at=now, reviewed_by=world.coord_c1, reviewed_at=now, review_note="Tốt"),
        AssignmentFactory(task=offline, assignee=world.member_v1b, team=world.v1b, status="rejected",
                          quantity=0, reviewed_by=world.coord_c1, reviewed_at=now, review_note="Thiếu ảnh"),
        AssignmentFactory(task=offline, assignee=world.member_v1a_2, team=team, status="declined",
                          decline_reason="Bận"),
        AssignmentFactory(task=later, assignee=world.member_v1a, team=team),
        AssignmentFactory(task=channel_only, assignee=world.member_v1b, team=world.v1b, status="in_progress"),
    ]
    return {"assignments": made, "tasks": [online, offline, later, channel_only]}


def _by_id(items):
    return {item["id"]: item for item in items}


@pytest.mark.parametrize("caller,params", [("coord_district", {}), ("member_v1a", {"mine": "true"}),
                                           ("coord_c1", {"ordering": "due_at"})])
def test_assignment_lists_serve_what_the_serializer_documents(api, world, rows, served_schema, caller, params):
    user = getattr(world, caller)
    response = api.as_user(user).get("/api/v1/assignments/", {**params, "page_size": 200})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    validate(served_schema, "/api/v1/assignments/", body)
    served = _by_id(body["results"])
    assert served, "the caller sees some of the rows"
    expected = serialized(AssignmentSerializer, selectors.assignment_list(user).filter(pk__in=served),
                          response.wsgi_request)
    assert served == _by_id(expected)
    # Every optional part is shown somewhere (the rows are representative).
    if caller == "coord_district":
        items = list(served.values())
        assert any(i["evidence_image"] for i in items) and any(i["quantity"] is not None for i in items)
        assert any(i["task"]["material"] for i in items) and any(i["reviewed_by_name"] for i in items)
        assert {i["reason"] for i in items} >= {"", "Thiếu ảnh", "Bận"}


@pytest.mark.parametrize("caller", ["coord_district", "member_v1a", "observer_district"])
def test_task_list_serves_what_the_serializer_documents(api, world, rows, served_schema, caller):
    user = getattr(world, caller)
    response = api.as_user(user).get("/api/v1/tasks/", {"page_size": 200})
    assert response.status_code == 200
    body = json.loads(response.content)
    validate(served_schema, "/api/v1/tasks/", body)
    served = _by_id(body["results"])
    assert served
    expected = serialized(TaskSerializer, selectors.task_list(user).filter(pk__in=served), response.wsgi_request)
    assert served == _by_id(expected)
    if caller == "coord_district":
        assert any(not t["is_published"] for t in served.values())
        assert any(t["progress"]["overdue"] for t in served.values())


@pytest.mark.parametrize("language", ["vi", "en"])
def test_notification_feed_serves_what_the_serializer_documents(api, world, rows, served_schema, language):
    member = world.member_v1a
    online, offline = rows["tasks"][0], rows["tasks"][1]
    first = rows["assignments"][0]
    now = timezone.now()
    Notification.objects.create(recipient=member, kind="assigned", task=online, assignment=first,
                                params={"task": online.title})
    Notification.objects.create(recipient=member, kind="rejected", task=offline, params={
        "task": offline.title, "reason": "Thiếu ảnh"}, read_at=now)
    Notification.objects.create(recipient=member, kind="deadline_24h", task=online, params={
        "task": online.title, "due_at": (now + timedelta(hours=20)).isoformat()})
    Notification.objects.create(recipient=member, kind="overdue_digest", params={"count": 3, "date": "2026-11-30"})
    Notification.objects.create(recipient=member, kind="verified", task=offline, params={"task": offline.title,
                                                                                         "note": ""})
    response = api.as_user(member).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = json.loads(response.content)
    validate(served_schema, "/api/v1/notifications/", body)
    assert len(body["results"]) == 5
    with translation.override(language):
        expected = serialized(NotificationSerializer, Notification.objects.filter(recipient=member).order_by("-id"),
                              response.wsgi_request)
    assert body["results"] == expected


def test_a_schema_violation_is_caught(world, served_schema):
    """The validation can fail: an extra key, a missing one and a wrong type are each refused."""
    good = {"next": None, "previous": None, "results": []}
    validate(served_schema, "/api/v1/notifications/", good)
    for bad in ({**good, "count": 1}, {"results": [{"id": 1}]}, {"results": "none"}):
        with pytest.raises(AssertionError):
            validate(served_schema, "/api/v1/notifications/", bad)
