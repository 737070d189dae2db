"""A step moves its row with one UPDATE conditional on the status the caller read and on the
task still taking the step (tasks.services.transitions); only when that matches nothing is the
row locked and read again, and the answer is then what the locked read decides."""
import pytest
from django.utils import translation

from api.exceptions import Conflict
from tasks import services
from tasks.models import Assignment, AssignmentEvent, Task

from .conftest import assignment_of

pytestmark = pytest.mark.django_db


def test_a_read_overtaken_by_another_change_asks_for_a_reload(world, task_c1):
    stale = assignment_of(task_c1, world.member_v1a)  # read while assigned
    Assignment.objects.filter(pk=stale.pk).update(status="declined")
    with translation.override("en"), pytest.raises(Conflict) as refused:
        services.assignment_complete(assignment=stale, actor=world.member_v1a, evidence_url="https://x.vn/1")
    assert refused.value.code == "invalid_transition"
    assert refused.value.message == "This assignment was changed by someone else; reload it."
    assert Assignment.objects.get(pk=stale.pk).status == "declined"
    # A refused step leaves no line on the timeline.
    assert not AssignmentEvent.objects.filter(assignment=stale, kind="completed").exists()


def test_a_read_overtaken_by_a_change_that_still_allows_the_step(world, task_c1):
    stale = assignment_of(task_c1, world.member_v1a)  # read while assigned
    Assignment.objects.filter(pk=stale.pk).update(status="in_progress")  # started on another phone
    done = services.assignment_complete(assignment=stale, actor=world.member_v1a, evidence_url="https://x.vn/4")
    assert done.status == "completed" and Assignment.objects.get(pk=stale.pk).status == "completed"
    # One event, moving from the status the locked read found, not from the one the caller read.
    event = AssignmentEvent.objects.get(assignment=stale, kind="completed")
    assert (event.from_status, event.to_status) == ("in_progress", "completed")


def test_a_stale_read_that_refuses_is_decided_by_the_locked_row(world, task_c1):
    stale = assignment_of(task_c1, world.member_v1a)
    stale.status = "declined"  # what the caller saw a moment ago; the row is assigned again
    done = services.assignment_complete(assignment=stale, actor=world.member_v1a, evidence_url="https://x.vn/2")
    assert done.status == "completed" and Assignment.objects.get(pk=stale.pk).status == "completed"
    event = AssignmentEvent.objects.get(assignment=stale, kind="completed")
    assert (event.from_status, event.to_status) == ("assigned", "completed")


@pytest.mark.parametrize("task_status, code", [("cancelled", "task_cancelled"), ("closed", "task_closed")])
def test_the_assignees_step_on_a_task_that_no_longer_takes_it(world, task_c1, task_status, code):
    assignment = assignment_of(task_c1, world.member_v1a)
    Task.objects.filter(pk=task_c1.pk).update(status=task_status)
    with pytest.raises(Conflict) as refused:
        services.assignment_start(assignment=assignment, actor=world.member_v1a)
    assert refused.value.code == code
    assert Assignment.objects.get(pk=assignment.pk).status == "assigned"


def test_a_review_goes_on_after_the_task_closed_but_not_after_it_was_cancelled(world, task_c1):
    first, second = assignment_of(task_c1, world.member_v1a), assignment_of(task_c1, world.member_v1b)
    for a, member in ((first, world.member_v1a), (second, world.member_v1b)):
        services.assignment_complete(assignment=a, actor=member, evidence_url="https://x.vn/3")
    Task.objects.filter(pk=task_c1.pk).update(status="closed")
    assert services.assignment_verify(assignment=first, actor=world.coord_c1).status == "verified"
    Task.objects.filter(pk=task_c1.pk).update(status="cancelled")
    with pytest.raises(Conflict) as refused:
        services.assignment_verify(assignment=second, actor=world.coord_c1)
    assert refused.value.code == "task_cancelled"
