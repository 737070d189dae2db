"""What a member or a coordinator reads when a step is refused, word for word, and what a
step leaves behind (tasks/services/transitions.py).

test_workflow.py checks which steps are allowed and their error codes; here each refusal
is driven through the API and its whole error body (api/exceptions.py) compared with the
one the person should see, in English and, for some, in Vietnamese (the default). The
one refusal only the console reaches is read there; the two that no caller reaches
through a page or an endpoint (the form and the serializer refuse first) on the service.
Then: the timeline's time of each step, a step overtaken by another write, and (PostgreSQL)
which rows a step locks.
"""
import threading
from contextlib import ExitStack
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.utils import translation

from tasks import services
from tasks.models import MAX_QUANTITY, Assignment, Task
from teams.choices import Role
from tests.factories import AssignmentFactory, MembershipFactory

from .conftest import make_task


@pytest.fixture
def tasks(world):
    online = make_task(world.c1, world.coord_c1)
    offline = make_task(world.c1, world.coord_c1, title="Phát tờ rơi", kind="offline", platform="other",
                        unit="tờ rơi", reference_url="")
    return SimpleNamespace(online=online, offline=offline)


def _lan(status="assigned", task="online"):
    """Lan's (member_v1a, village Thôn 1) assignment of one of the commune's tasks."""
    return lambda w, t: AssignmentFactory(task=getattr(t, task), assignee=w.member_v1a, team=w.v1a, status=status)


def _on_a_cancelled_task(w, t):
    a = AssignmentFactory(task=t.online, assignee=w.member_v1a, team=w.v1a)
    services.task_cancel(task=t.online, actor=w.coord_c1)
    return a


def _on_a_closed_task(w, t):
    a = AssignmentFactory(task=t.online, assignee=w.member_v1a, team=w.v1a)
    services.task_update(task=t.online, actor=w.coord_c1, status="closed")
    return a


def _the_coordinators_own(w, t):
    """The village coordinator's own work, in the village they coordinate."""
    return AssignmentFactory(task=t.online, assignee=w.coord_v1a, team=w.v1a, status="completed")


def refused(status, code, detail, errors=None):
    return {"status": status, "code": code, "detail": detail, "errors": errors or {}}


def invalid(field, message):
    return refused(400, "invalid", "Invalid input.", {field: [message]})


LINK = "https://facebook.com/p/1"

# (who, step, body, the assignment, the error body in English)
REFUSALS = {
    "someone else starts the assignee's work": (
        "coord_c1", "start", {}, _lan(),
        refused(403, "permission_denied", "Only the assignee can do this.")),
    "a coordinator verifies their own work": (
        "coord_v1a", "verify", {}, _the_coordinators_own,
        refused(403, "permission_denied", "Nobody reviews their own work.")),
    "an observer records offline work on the assignee's behalf": (
        "observer_district", "complete", {"quantity": 5, "on_behalf": True}, _lan(task="offline"),
        refused(403, "permission_denied", "You do not coordinate this assignment's team or a team above it.")),
    "a coordinator completes online work on the assignee's behalf": (
        "coord_c1", "complete", {"evidence_url": LINK, "on_behalf": True}, _lan(),
        refused(403, "permission_denied", "Online work can never be completed on someone else's behalf.")),
    "the task was cancelled": (
        "member_v1a", "start", {}, _on_a_cancelled_task,
        refused(409, "task_cancelled", "This task was cancelled.")),
    "the task is closed": (
        "member_v1a", "start", {}, _on_a_closed_task,
        refused(409, "task_closed", "This task is closed.")),
    "verified work is verified again": (
        "coord_c1", "verify", {}, _lan("verified"),
        refused(409, "invalid_transition", "An assignment that is verified cannot be changed this way.")),
    "work in progress is started again (the status's label, not its value)": (
        "member_v1a", "start", {}, _lan("in_progress"),
        refused(409, "invalid_transition", "An assignment that is in progress cannot be changed this way.")),
    "offline work without a quantity": (
        "member_v1a", "complete", {"note": "Chợ"}, _lan(task="offline"),
        invalid("quantity", "Say how much was done (a whole number from 0).")),
    "online work with a quantity": (
        "member_v1a", "complete", {"quantity": 3, "evidence_url": LINK}, _lan(),
        invalid("quantity", "Only offline work is counted by quantity.")),
    "online work without evidence": (
        "member_v1a", "complete", {"note": "xong"}, _lan(),
        invalid("evidence_url", "Send the link to your post or an image of it.")),
}

# The same refusals as the default language (Vietnamese) words them (locale/vi).
IN_VIETNAMESE = {
    "someone else starts the assignee's work": "Chỉ người thực hiện mới được làm việc này.",
    "a coordinator verifies their own work": "Không ai được tự duyệt công việc của chính mình.",
    "an observer records offline work on the assignee's behalf":
        "Bạn không điều phối đội của phân công này hoặc đội cấp trên của nó.",
    "the task was cancelled": "Nhiệm vụ này đã bị huỷ.",
    "verified work is verified again":
        "Phân công đang ở trạng thái đã xác nhận thì không thể thay đổi theo cách này.",
    "offline work without a quantity": "Hãy cho biết số lượng đã làm (một số nguyên từ 0).",
}


def _post(client, assignment, step, body, language):
    return client.post(f"/api/v1/assignments/{assignment.pk}/{step}/", body, format="json",
                       HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_step_says_why_in_english(world, client_for, tasks, case):
    who, step, body, make, expected = REFUSALS[case]
    assignment = make(world, tasks)
    before = Assignment.objects.get(pk=assignment.pk).status, assignment.events.count()
    response = _post(client_for(getattr(world, who)), assignment, step, body, "en")
    assert response.status_code == expected["status"]
    assert response.json() == expected
    # A refusal changes nothing and adds nothing to the timeline.
    assert (Assignment.objects.get(pk=assignment.pk).status, assignment.events.count()) == before


@pytest.mark.parametrize("case", list(IN_VIETNAMESE))
def test_a_refused_step_says_why_in_vietnamese(world, client_for, tasks, case):
    who, step, body, make, expected = REFUSALS[case]
    response = _post(client_for(getattr(world, who)), make(world, tasks), step, body, "vi")
    message = IN_VIETNAMESE[case]
    if expected["status"] == 400:
        (field,) = expected["errors"]
        assert response.json() == refused(400, "invalid", "Dữ liệu không hợp lệ.", {field: [message]})
    else:
        assert response.json() == {**expected, "detail": message}


@pytest.fixture
def someone_moves_it_first():
    """`moves(assignment)`: just before the next step writes its change, someone else's change
    of the same row lands (what the step's conditional write guards against where rows are
    not locked). The list it returns holds the write that was overtaken."""
    overtaken = []

    def moves(assignment):
        def wrapper(execute, sql, params, many, context):
            if not overtaken and sql.startswith('UPDATE "tasks_assignment"'):
                overtaken.append(sql)  # set first: the write below goes through this wrapper too
                with connection.cursor() as cursor:
                    cursor.execute('UPDATE "tasks_assignment" SET "status" = %s WHERE "id" = %s',
                                   ["declined", assignment.pk])
            return execute(sql, params, many, context)

        stack.enter_context(connection.execute_wrapper(wrapper))
        return overtaken

    with ExitStack() as stack:
        yield moves


@pytest.mark.parametrize("language, message", [
    ("en", "This assignment was changed by someone else; reload it."),
    ("vi", "Phân công này đã bị người khác thay đổi; hãy tải lại."),
])
def test_a_step_overtaken_by_another_change_asks_for_a_reload(world, client_for, tasks, someone_moves_it_first,
                                                              language, message):
    assignment = _lan()(world, tasks)
    overtaken = someone_moves_it_first(assignment)
    response = _post(client_for(world.member_v1a), assignment, "start", {}, language)
    assert len(overtaken) == 1
    assert response.json() == refused(409, "invalid_transition", message)
    # The step's whole transaction is undone, the other change with it (it landed inside).
    assert Assignment.objects.get(pk=assignment.pk).status == "assigned"
    assert not assignment.events.exists()


def test_each_step_on_the_timeline_bears_the_time_the_assignment_changed(world, client_for, tasks):
    member, coordinator = client_for(world.member_v1a), client_for(world.coord_c1)
    assignment = _lan()(world, tasks)
    steps = [(member, "start", {}), (member, "complete", {"evidence_url": LINK}),
             (coordinator, "reject", {"reason": "Chưa công khai"}), (member, "complete", {"evidence_url": LINK}),
             (coordinator, "verify", {})]
    for client, step, body in steps:
        response = _post(client, assignment, step, body, "en")
        assert response.status_code == 200, response.content
        timeline = member.get(f"/api/v1/assignments/{assignment.pk}/events/").json()["results"]
        assert timeline[-1]["created_at"] == response.json()["updated_at"], step
        assert member.get(f"/api/v1/assignments/{assignment.pk}/").json()["updated_at"] == \
            response.json()["updated_at"]


def test_bulk_verify_in_the_console_names_work_the_caller_only_observes(world, tasks):
    """An API review outside one's reach is refused by the viewset before the service, with
    the generic 403; the console's bulk verify asks the service for each ticked item, and its
    refusal is what the coordinator reads."""
    MembershipFactory(member=world.coord_c2, team=world.c1, role=Role.OBSERVER)  # observes the sibling commune
    done = _lan("completed")(world, tasks)
    client = Client()
    client.force_login(world.coord_c2)
    client.cookies["django_language"] = "en"
    response = client.post("/console/review/verify/", {"ids": [done.pk]})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"{tasks.online.title} — {world.member_v1a.full_name}: "
        "You do not coordinate this assignment's team or a team above it."]
    assert Assignment.objects.get(pk=done.pk).status == "completed"


# The service's own refusals behind the API's bodies --------------------------------------

def test_on_behalf_is_for_completing_only(world, tasks):
    """No page or endpoint passes `on_behalf` with another step; the service still refuses it."""
    assignment = _lan(task="offline")(world, tasks)
    with translation.override("en"), pytest.raises(PermissionDenied) as refusal:
        services.assignment_check_actor(action="decline", assignment=assignment, actor=world.coord_c1,
                                        on_behalf=True)
    assert refusal.value.args == ("Only completing offline work can be recorded on someone's behalf.",)


@pytest.mark.parametrize("quantity", [-1, MAX_QUANTITY + 1])
def test_a_quantity_out_of_range_is_refused_by_the_service_too(world, tasks, quantity):
    """The API's serializer and the console's form bound `quantity` first; a caller without
    them (tasks/demo.py, the shell) meets the service's own bound."""
    assignment = _lan(task="offline")(world, tasks)
    with translation.override("en"), pytest.raises(ValidationError) as refusal:
        services.assignment_complete(assignment=assignment, actor=world.member_v1a, quantity=quantity)
    assert refusal.value.message_dict == {"quantity": ["Ensure this value is between 0 and 1000000."]}
    assert Assignment.objects.get(pk=assignment.pk).status == "assigned"


# PostgreSQL row locks ------------------------------------------------------------------

def _in_another_connection(call):
    """Run `call` on a connection of its own, waiting at most half a second for a lock."""
    outcome = []

    def run():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '500ms'")
                call()
            outcome.append("done")
        except OperationalError as exc:
            outcome.append("blocked" if "lock timeout" in str(exc) else repr(exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return outcome


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_step_in_flight_locks_its_assignment_and_not_its_task(world, tasks):
    """The step reads the task's status with its row lock (`of=("self",)`): a coordinator
    editing the task meanwhile is not held up by every member's step on it."""
    assignment = _lan()(world, tasks)
    with transaction.atomic():
        services.assignment_start(assignment=assignment, actor=world.member_v1a)
        task = _in_another_connection(lambda: Task.objects.filter(pk=tasks.online.pk).update(title="Đổi tên"))
        row = _in_another_connection(lambda: Assignment.objects.filter(pk=assignment.pk).update(note="x"))
    assert (task, row) == (["done"], ["blocked"])
    assert Task.objects.get(pk=tasks.online.pk).title == "Đổi tên"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_review_that_waited_for_a_cancel_sees_the_task_cancelled(world, tasks):
    """A cancel locks the completed work of its task without changing it: a reject that
    waited for that lock must still see the cancel once it committed, and change nothing."""
    assignment = _lan()(world, tasks)
    services.assignment_complete(assignment=assignment, actor=world.member_v1a, evidence_url="https://x.vn/1")
    locked, release, outcome = threading.Event(), threading.Event(), []

    def cancel():
        try:
            with transaction.atomic():
                services.task_cancel(task=Task.objects.get(pk=tasks.online.pk), actor=world.coord_c1)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=cancel)
    thread.start()
    assert locked.wait(10)
    reviewer = threading.Timer(0.3, release.set)  # the review below waits for the cancel's lock
    reviewer.start()
    fresh = Assignment.objects.select_related("task", "team").get(pk=assignment.pk)
    try:
        services.assignment_reject(assignment=fresh, actor=world.coord_c1, reason="Thiếu ảnh")
    except Exception as exc:  # noqa: BLE001 - what the review answers is the point
        outcome.append(getattr(exc, "code", repr(exc)))
    thread.join(10)
    assert outcome == ["task_cancelled"]
    assert Assignment.objects.get(pk=assignment.pk).status == "completed"
    assert not assignment.events.filter(kind="rejected").exists()
