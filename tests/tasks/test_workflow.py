"""Every transition, allowed and refused, written out from the contract (not read
from the service's own table, so a wrong table fails here)."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks import services
from tasks.choices import AssignmentStatus
from tasks.models import Assignment
from tests.factories import AssignmentFactory

from .conftest import make_task

ALL = [s.value for s in AssignmentStatus]
ALLOWED = {
    "start": {"assigned", "rejected"},
    "complete": {"assigned", "in_progress", "rejected"},
    "decline": {"assigned", "in_progress"},
    "verify": {"completed"},
    "reject": {"completed"},
}
TARGET = {"start": "in_progress", "complete": "completed", "decline": "declined", "verify": "verified",
          "reject": "rejected"}
BODY = {"start": {}, "complete": {"evidence_url": "https://facebook.com/p/1", "note": "xong"},
        "decline": {"reason": "Bận"}, "verify": {"note": "Tốt"}, "reject": {"reason": "Thiếu ảnh"}}
ACTOR = {"start": "member_v1a", "complete": "member_v1a", "decline": "member_v1a", "verify": "coord_c1",
         "reject": "coord_c1"}


@pytest.fixture
def open_task(world):
    return make_task(world.c1, world.coord_c1)


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("step", list(ALLOWED))
def test_transition_table(world, client_for, open_task, step, status):
    a = AssignmentFactory(task=open_task, assignee=world.member_v1a, team=world.v1a, status=status)
    response = client_for(getattr(world, ACTOR[step])).post(f"/api/v1/assignments/{a.pk}/{step}/", BODY[step],
                                                            format="json")
    a.refresh_from_db()
    if status in ALLOWED[step]:
        assert response.status_code == 200, response.content
        assert a.status == TARGET[step] == response.json()["status"]
        event = a.events.get()
        assert (event.kind, event.from_status, event.to_status) == (
            {"start": "started", "complete": "completed", "decline": "declined", "verify": "verified",
             "reject": "rejected"}[step], status, TARGET[step])
        assert event.actor == getattr(world, ACTOR[step])
    else:
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "invalid_transition"
        assert a.status == status and not a.events.exists()


def test_service_table_matches_the_contract():
    assert {name: set(t.sources) for name, t in services.TRANSITIONS.items()} == ALLOWED
    assert {name: t.target for name, t in services.TRANSITIONS.items()} == TARGET


def test_fields_each_step_records(world, open_task):
    a = AssignmentFactory(task=open_task, assignee=world.member_v1a, team=world.v1a)
    a = services.assignment_start(assignment=a, actor=world.member_v1a)
    assert a.started_at is not None
    a = services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/1",
                                     note="Đã đăng")
    assert (a.evidence_url, a.note) == ("https://x.vn/1", "Đã đăng") and a.completed_at
    a = services.assignment_reject(assignment=a, actor=world.coord_c1, reason="Chưa công khai")
    assert (a.reviewed_by, a.review_note) == (world.coord_c1, "Chưa công khai") and a.reviewed_at
    a = services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/2")
    assert a.reviewed_by is None and a.review_note == "" and a.evidence_url == "https://x.vn/2"
    a = services.assignment_verify(assignment=a, actor=world.coord_district)
    assert a.reviewed_by == world.coord_district and a.status == "verified"
    timeline = list(a.events.values_list("kind", "note"))
    assert timeline == [("started", ""), ("completed", "Đã đăng"), ("rejected", "Chưa công khai"),
                        ("completed", ""), ("verified", "")]


def test_complete_with_an_image_instead_of_a_link(world, open_task, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = AssignmentFactory(task=open_task, assignee=world.member_v1a, team=world.v1a)
    image = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n...", content_type="image/png")
    a = services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_image=image)
    assert a.status == "completed" and a.evidence_url == ""
    assert a.evidence_image.name.startswith("evidence/") and "anh" not in a.evidence_image.name
    assert (tmp_path / a.evidence_image.name).exists()
    a.refresh_from_db()
    assert a.evidence_image.name.startswith("evidence/")


def test_refused_complete_with_an_image_stores_no_file(world, open_task, settings, tmp_path):
    from api.exceptions import Conflict

    settings.MEDIA_ROOT = tmp_path
    a = AssignmentFactory(task=open_task, assignee=world.member_v1a, team=world.v1a, status="verified")
    image = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n...", content_type="image/png")
    with pytest.raises(Conflict):
        services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_image=image)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_closed_task_stops_the_assignees_steps_but_not_reviews(world, client_for, open_task):
    done = AssignmentFactory(task=open_task, assignee=world.member_v1a, team=world.v1a, status="completed")
    todo = AssignmentFactory(task=open_task, assignee=world.member_v1a_2, team=world.v1a)
    services.task_update(task=open_task, actor=world.coord_c1, status="closed")
    response = client_for(world.member_v1a_2).post(f"/api/v1/assignments/{todo.pk}/start/")
    assert response.status_code == 409 and response.json()["code"] == "task_closed"
    assert client_for(world.coord_c1).post(f"/api/v1/assignments/{done.pk}/verify/").status_code == 200
    # Reopening lets the work go on.
    services.task_update(task=open_task, actor=world.coord_c1, status="open")
    assert client_for(world.member_v1a_2).post(f"/api/v1/assignments/{todo.pk}/start/").status_code == 200


@pytest.mark.parametrize("step", list(ALLOWED))
def test_every_step_on_a_cancelled_task_is_409(world, client_for, open_task, step):
    a = AssignmentFactory(task=open_task, assignee=world.member_v1a, team=world.v1a, status="completed")
    services.task_cancel(task=open_task, actor=world.coord_c1)
    response = client_for(getattr(world, ACTOR[step])).post(f"/api/v1/assignments/{a.pk}/{step}/", BODY[step],
                                                            format="json")
    assert response.status_code == 409 and response.json()["code"] == "task_cancelled"


def test_cancel_keeps_finished_work(world, open_task):
    people = [world.member_v1a, world.member_v1a_2, world.member_v1b, world.member_v2a, world.coord_v1a,
              world.coord_c1, world.coord_c2]
    for person, status in zip(people, ALL):
        AssignmentFactory(task=open_task, assignee=person, team=world.v1a, status=status)
    services.task_cancel(task=open_task, actor=world.coord_c1)
    after = dict(Assignment.objects.filter(task=open_task).values_list("assignee_id", "status"))
    expected = {
        "assigned": "cancelled", "in_progress": "cancelled", "rejected": "cancelled",
        "completed": "completed", "verified": "verified", "declined": "declined", "cancelled": "cancelled",
    }
    assert {status: after[p.pk] for p, status in zip(people, ALL)} == expected
    events = Assignment.objects.filter(task=open_task, events__kind="cancelled").values_list(
        "events__from_status", flat=True)
    assert sorted(events) == ["assigned", "in_progress", "rejected"]
