"""The task workflow produces the member's notifications (eager Celery in tests)."""
import pytest

from notifications.models import Notification, PushDelivery
from tests.factories import TaskFactory


@pytest.fixture
def task(world):
    return TaskFactory(team=world.c1, created_by=world.coord_c1)


def _kinds(member):
    return sorted(Notification.objects.filter(recipient=member).values_list("kind", flat=True))


@pytest.mark.django_db(transaction=True)
def test_fan_out_notifies_every_new_assignee_once(world, task, client_for):
    client = client_for(world.coord_c1)
    response = client.post(f"/api/v1/tasks/{task.pk}/assign/", {"teams": [world.c1.pk]}, format="json")
    assert response.status_code == 200, response.content
    assert _kinds(world.member_v1a) == ["assigned"]
    assert _kinds(world.member_v1b) == ["assigned"]
    assert _kinds(world.inactive_v1a) == []
    assert _kinds(world.member_v2a) == []  # the sibling commune is not reached
    # assigning again creates nothing and notifies nobody twice
    client.post(f"/api/v1/tasks/{task.pk}/assign/", {"teams": [world.c1.pk]}, format="json")
    assert _kinds(world.member_v1a) == ["assigned"]


@pytest.mark.django_db(transaction=True)
def test_rejection_and_cancel_reach_the_assignee(world, task, client_for):
    coord = client_for(world.coord_c1)
    coord.post(f"/api/v1/tasks/{task.pk}/assign/", {"members": [world.member_v1a.pk, world.member_v1b.pk]},
               format="json")
    mine = task.assignments.get(assignee=world.member_v1a)
    member = client_for(world.member_v1a)
    assert member.post(f"/api/v1/assignments/{mine.pk}/complete/",
                       {"evidence_url": "https://facebook.com/p/1"}, format="json").status_code == 200
    assert coord.post(f"/api/v1/assignments/{mine.pk}/reject/", {"reason": "Thiếu ảnh"},
                      format="json").status_code == 200
    rejected = Notification.objects.get(recipient=world.member_v1a, kind="rejected")
    assert rejected.params["reason"] == "Thiếu ảnh"

    assert coord.post(f"/api/v1/tasks/{task.pk}/cancel/").status_code == 200
    # both held unfinished work (rejected counts as unfinished), so both hear of the cancel
    assert _kinds(world.member_v1a) == ["assigned", "rejected", "task_cancelled"]
    assert _kinds(world.member_v1b) == ["assigned", "task_cancelled"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_assign_notifies_nobody(world, task):
    from django.db import transaction

    from tasks.services import task_assign

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
            raise RuntimeError("roll back")
    assert not Notification.objects.exists()
    assert not PushDelivery.objects.exists()


