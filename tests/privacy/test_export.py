"""GET /api/v1/me/export/: everything held about the caller, as one JSON document."""
import json

import pytest

from tests.privacy.conftest import REASON

EXPORT = "/api/v1/me/export/"


def _export(client):
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response.streaming and response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return json.loads(b"".join(response.streaming_content))


def test_the_export_holds_the_callers_whole_record(life, client_for):
    w = life
    doc = _export(client_for(w.person))
    assert doc["profile"]["id"] == w.person.pk
    assert doc["profile"]["phone"] == w.old_phone and doc["profile"]["full_name"] == w.old_name
    assert [(m["team"], m["role"]) for m in doc["memberships"]] == [(w.world.v1a.pk, "member")]
    # created, made observer, made member again: every change, oldest first
    assert [(h["type"], h["role"]) for h in doc["membership_history"]][-2:] == [
        ("changed", "observer"), ("changed", "member")]
    assert doc["membership_history"][-1]["changed_by"] == w.world.coord_c1.pk

    [assignment] = doc["assignments"]
    assert assignment["id"] == w.assignment.pk and assignment["status"] == "verified"
    assert assignment["evidence_url"] == "https://facebook.com/lan/posts/2"
    assert assignment["task_title"] == "Chia sẻ cảnh báo lừa đảo"
    assert assignment["reviewed_by"] == w.world.coord_c1.pk and assignment["review_note"] == "Tốt"

    kinds = [(e["kind"], e["actor"]) for e in doc["assignment_events"]]
    assert kinds.count(("completed", w.person.pk)) == 2
    assert ("rejected", w.world.coord_c1.pk) in kinds and ("verified", w.world.coord_c1.pk) in kinds
    assert any(e["note"] == REASON for e in doc["assignment_events"])

    notifications = {n["kind"]: n for n in doc["notifications"]}
    assert set(notifications) >= {"assigned", "rejected"}
    assert notifications["rejected"]["params"]["reason"] == REASON
    assert REASON in notifications["rejected"]["body"]
    assert [d["token"] for d in doc["devices"]] == ["fcm-token-of-lan"]
    assert {p["notification"] for p in doc["push_deliveries"]} >= {notifications["rejected"]["id"]}
    assert len(doc["sessions"]) == 1 and doc["sessions"][0]["revoked_at"] is None


def test_the_export_holds_nothing_about_anyone_else(life, client_for):
    w = life
    raw = b"".join(client_for(w.person).get(EXPORT).streaming_content)
    for other in (w.world.member_v1a_2, w.world.coord_c1, w.world.member_v1b):
        assert other.phone.encode() not in raw
        assert other.full_name.encode() not in raw
    # a teammate's export has their own assignment, not Lan's
    doc = _export(client_for(w.world.member_v1a_2))
    assert [a["id"] for a in doc["assignments"]] != [w.assignment.pk]
    assert w.old_phone.encode() not in json.dumps(doc, ensure_ascii=False).encode()


def test_a_coordinator_exports_what_they_created_and_did(life, client_for):
    doc = _export(client_for(life.world.coord_c1))
    assert doc["profile"]["id"] == life.world.coord_c1.pk
    assert [t["id"] for t in doc["tasks_created"]] == [life.task.pk]
    acted = {e["kind"] for e in doc["assignment_events"]}
    assert acted == {"assigned", "rejected", "verified"}
    assert all(e["actor"] == life.world.coord_c1.pk for e in doc["assignment_events"])
    assert doc["assignments"] == []


def test_anonymous_callers_get_401(client_for, db):
    assert client_for(None).get(EXPORT).status_code == 401


def test_the_query_count_does_not_grow_with_the_record(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AssignmentFactory, TaskFactory

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            _export(client_for(world.member_v1a))
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(40):
        AssignmentFactory(task=TaskFactory(team=world.c1), assignee=world.member_v1a, team=world.v1a)
    assert queries() == few


def test_the_schema_documents_the_export():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/me/export/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    document = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(document["properties"]) >= {"profile", "memberships", "membership_history", "assignments",
                                            "assignment_events", "notifications", "devices", "sessions"}


def test_a_large_record_streams_out_in_chunks(world, client_for):
    """The document is written while it is read, chunk by chunk, never built whole in memory."""
    from tasks.models import Assignment
    from teams.personal_data import FLUSH_BYTES
    from tests.factories import TaskFactory

    tasks = [TaskFactory(team=world.c1) for _ in range(300)]
    Assignment.objects.bulk_create([
        Assignment(task=t, assignee=world.member_v1a, team=world.v1a, note="ghi chú " * 40) for t in tasks
    ])
    response = client_for(world.member_v1a).get(EXPORT)
    chunks = list(response.streaming_content)
    assert len(chunks) > 1 and max(len(c) for c in chunks) < 2 * FLUSH_BYTES
    assert len(json.loads(b"".join(chunks))["assignments"]) == 300
