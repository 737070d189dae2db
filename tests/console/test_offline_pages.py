"""Offline work in the console: a member reports how much was done (no link, no photo), a
coordinator records it for someone without a smartphone, never online work; tasks take a
unit and a publication time."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Assignment, AssignmentEvent, Task
from tasks.publication import is_published

from .conftest import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaflets(world):
    task = services.task_create(actor=world.coord_c1, title="Phát tờ rơi phòng chống lừa đảo", kind="offline",
                                platform="other", unit="tờ rơi", team=world.c1,
                                due_at=timezone.now() + timedelta(days=2))
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    return task


def mine(task, member):
    return Assignment.objects.get(task=task, assignee=member)


def test_a_member_reports_offline_work_with_a_quantity(world, leaflets, browse):
    a = mine(leaflets, world.member_v1a)
    client = browse(world.member_v1a)
    page = text(client.get(f"/console/mine/{a.pk}/"))
    assert 'name="quantity"' in page and "Số lượng đã làm (tờ rơi)" in page
    assert 'type="file"' not in page and 'name="evidence_url"' not in page
    response = client.post(f"/console/mine/{a.pk}/complete/", {"quantity": "120", "note": "Chợ sáng"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "completed" and a.quantity == 120 and a.evidence_url == ""
    assert "<strong>120</strong> tờ rơi" in text(client.get(f"/console/mine/{a.pk}/"))
    # The coordinator's review queue shows the number.
    assert "<strong>120</strong> tờ rơi" in text(browse(world.coord_c1).get("/console/review/"))


@pytest.mark.parametrize("lang, quantity, message", [
    (None, "", "Trường này là bắt buộc."), ("en", "", "This field is required."),
    (None, "-3", "0"), ("en", "-3", "Ensure this value is greater than or equal to 0."),
    ("en", "2000000", "Ensure this value is less than or equal to 1000000."),
])
def test_a_missing_or_impossible_quantity_is_a_form_error(world, leaflets, browse, lang, quantity, message):
    a = mine(leaflets, world.member_v1a)
    response = browse(world.member_v1a, lang=lang).post(f"/console/mine/{a.pk}/complete/", {"quantity": quantity})
    assert response.status_code == 400 and message in text(response)
    a.refresh_from_db()
    assert a.status == "assigned"


def test_a_coordinator_records_offline_work_on_behalf_and_is_named_in_the_history(world, leaflets, browse):
    a = mine(leaflets, world.member_v1a_2)
    client = browse(world.coord_c1)
    page = text(client.get(f"/console/tasks/{leaflets.pk}/"))
    assert "Ghi nhận việc ngoại tuyến" in page and f'action="/console/assignments/{a.pk}/record/"' in page
    assert "Đơn vị: tờ rơi" in page
    response = client.post(f"/console/assignments/{a.pk}/record/", {"quantity": "40"})
    assert response.status_code == 302 and response["Location"] == f"/console/tasks/{leaflets.pk}/"
    a.refresh_from_db()
    assert a.status == "completed" and a.quantity == 40
    event = AssignmentEvent.objects.get(assignment=a, kind="completed")
    assert event.actor_id == world.coord_c1.pk
    assert f"Đã ghi 40 cho {world.member_v1a_2.full_name}." in text(client.get(f"/console/tasks/{leaflets.pk}/"))


@pytest.mark.parametrize("lang, message", [(None, "Trường này là bắt buộc."), ("en", "This field is required.")])
def test_recording_without_a_number_shows_the_form_again(world, leaflets, browse, lang, message):
    a = mine(leaflets, world.member_v1a_2)
    response = browse(world.coord_c1, lang=lang).post(f"/console/assignments/{a.pk}/record/", {"quantity": ""})
    assert response.status_code == 400 and message in text(response)
    assert 'name="quantity"' in text(response)


def test_online_work_is_never_recorded_on_someones_behalf(world, work, browse):
    response = browse(world.coord_c1, lang="en").post(f"/console/assignments/{work.todo.pk}/record/",
                                                      {"quantity": "1"})
    assert response.status_code == 403
    assert "Online work can never be completed on someone else" in text(response)
    work.todo.refresh_from_db()
    assert work.todo.status == "assigned"
    assert "Ghi nhận việc ngoại tuyến" not in text(browse(world.coord_c1).get(f"/console/tasks/{work.task.pk}/"))


def test_a_sibling_communes_coordinator_gets_the_404_page(world, leaflets, browse):
    a = mine(leaflets, world.member_v1a)
    response = browse(world.coord_c2).post(f"/console/assignments/{a.pk}/record/", {"quantity": "5"})
    assert response.status_code == 404 and "Không tìm thấy" in text(response)
    a.refresh_from_db()
    assert a.status == "assigned"


def test_a_member_cannot_record_for_someone_else(world, leaflets, browse):
    a = mine(leaflets, world.member_v1a_2)
    assert browse(world.member_v1a).post(f"/console/assignments/{a.pk}/record/", {"quantity": "5"}).status_code == 403
    a.refresh_from_db()
    assert a.status == "assigned"


def test_a_new_offline_task_with_a_unit_and_a_publication_time(world, browse):
    publish = timezone.localtime() + timedelta(days=1)
    response = browse(world.coord_c1).post("/console/tasks/new/", {
        "title": "Họp tổ dân phố", "team": world.c1.pk, "kind": "offline", "unit": "buổi họp", "platform": "other",
        "priority": "normal", "publish_at": publish.strftime("%Y-%m-%dT%H:%M"),
        "due_at": (publish + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302, text(response)[:2000]
    task = Task.objects.get(title="Họp tổ dân phố")
    assert task.kind == "offline" and task.unit == "buổi họp" and task.publish_at is not None
    assert not is_published(task)
    assert "Công bố lúc" in text(browse(world.coord_c1).get(f"/console/tasks/{task.pk}/"))


@pytest.mark.parametrize("lang", [None, "en"])
def test_a_unit_on_online_work_is_the_services_message(world, browse, lang):
    response = browse(world.coord_c1, lang=lang).post("/console/tasks/new/", {
        "title": "Chia sẻ", "team": world.c1.pk, "kind": "share", "unit": "bài", "platform": "facebook",
        "priority": "normal"})
    assert response.status_code == 400
    assert 'class="field has-error"' in text(response)
    assert not Task.objects.filter(title="Chia sẻ").exists()
