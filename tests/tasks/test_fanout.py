"""Fan-out: teams reach every active `member` below them, once, in one go."""
import pytest
from django.utils import translation
from django.core.exceptions import ValidationError

from tasks import services
from tasks.models import Assignment, AssignmentEvent, TaskTarget
from tasks.selectors import assignment_timeline
from teams import services as team_services
from teams.choices import Level, Role
from teams.models import Membership
from tests.factories import MemberFactory, MembershipFactory, TeamFactory

from .conftest import assignment_of, make_task


def _assignees(task):
    return set(task.assignments.values_list("assignee_id", flat=True))


def test_district_fans_out_to_members_of_nested_villages_only(world):
    task = make_task(world.district, world.coord_district)
    # A member held directly at commune level is reached too.
    commune_member = MemberFactory()
    MembershipFactory(member=commune_member, team=world.c2, role=Role.MEMBER)

    result = services.task_assign(task=task, actor=world.coord_district, teams=[world.district])

    expected = {world.member_v1a.pk, world.member_v1a_2.pk, world.member_v1b.pk, world.member_v2a.pk,
                commune_member.pk}
    assert result == services.AssignResult(created=5, already_assigned=0)
    # Coordinators, observers, the inactive member and the other district are left out.
    assert _assignees(task) == expected
    assert assignment_of(task, world.member_v1b).team_id == world.v1b.pk
    assert assignment_of(task, commune_member).team_id == world.c2.pk
    assert list(TaskTarget.objects.filter(task=task).values_list("team_id", flat=True)) == [world.district.pk]
    # Each row stands for its "assigned" step: no event rows, the timeline shows it as id 0.
    assert not AssignmentEvent.objects.filter(assignment__task=task).exists()
    assert set(task.assignments.values_list("assigned_by_id", "joined_late")) == {(world.coord_district.pk, False)}
    first = list(assignment_timeline(assignment_of(task, world.member_v1b)))
    assert [(e.id, e.kind, e.actor_id, e.from_status, e.to_status, e.note) for e in first] == [
        (0, "assigned", world.coord_district.pk, "", "assigned", "")]


def test_someone_in_two_teams_gets_one_assignment_through_the_deepest(world):
    MembershipFactory(member=world.member_v1b, team=world.c1, role=Role.MEMBER)
    task = make_task(world.c1, world.coord_c1)
    result = services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1, world.v1b])
    assert result.created == 3
    assert assignment_of(task, world.member_v1b).team_id == world.v1b.pk
    # Nested targets are remembered as the outermost one.
    assert list(TaskTarget.objects.filter(task=task).values_list("team_id", flat=True)) == [world.c1.pk]


def test_assigning_again_is_idempotent(world, client_for):
    task = make_task(world.c1, world.coord_c1)
    client = client_for(world.coord_c1)
    url = f"/api/v1/tasks/{task.pk}/assign/"
    assert client.post(url, {"teams": [world.v1a.pk]}, format="json").json() == {"created": 2, "already_assigned": 0}
    assert client.post(url, {"teams": [world.v1a.pk]}, format="json").json() == {"created": 0, "already_assigned": 2}
    assert client.post(url, {"teams": [world.c1.pk], "members": [world.member_v1a.pk]},
                       format="json").json() == {"created": 1, "already_assigned": 2}
    assert Assignment.objects.filter(task=task).count() == 3
    assert set(task.assignments.values_list("assigned_by_id", flat=True)) == {world.coord_c1.pk}
    assert TaskTarget.objects.filter(task=task).count() == 2


def test_reassigning_leaves_existing_work_as_it_is(world, task_c1):
    a = assignment_of(task_c1, world.member_v1a)
    services.assignment_decline(assignment=a, actor=world.member_v1a, reason="Bận")
    result = services.task_assign(task=task_c1, actor=world.coord_c1, teams=[world.c1])
    assert result == services.AssignResult(created=0, already_assigned=3)
    a.refresh_from_db()
    assert a.status == "declined"


def test_direct_assignment_names_the_persons_team_inside_the_task(world):
    task = make_task(world.c1, world.coord_c1)
    result = services.task_assign(task=task, actor=world.coord_c1, members=[world.member_v1b, world.coord_v1a])
    assert result.created == 2
    assert assignment_of(task, world.member_v1b).team_id == world.v1b.pk
    assert assignment_of(task, world.coord_v1a).team_id == world.v1a.pk
    assert not TaskTarget.objects.filter(task=task).exists()


@pytest.mark.parametrize("who,message", [
    ("inactive_v1a", "active"),
    ("member_v2a", "no role"),  # a sibling commune's member is outside the task's subtree
])
def test_direct_targets_that_cannot_take_the_task(world, who, message):
    task = make_task(world.c1, world.coord_district)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.task_assign(task=task, actor=world.coord_district, members=[getattr(world, who)])
    assert message in str(exc.value.message_dict["members"])
    assert not task.assignments.exists()


def test_team_outside_the_tasks_subtree_is_refused(world):
    task = make_task(world.c1, world.coord_district)
    with pytest.raises(ValidationError) as exc:
        services.task_assign(task=task, actor=world.coord_district, teams=[world.v1a, world.c2])
    assert "teams" in exc.value.message_dict
    assert not task.assignments.exists()  # nothing half-done


def test_fan_out_is_set_based_not_per_row(world, django_assert_max_num_queries):
    village = TeamFactory(name="Thôn lớn", level=Level.VILLAGE, parent=world.c1)
    people = MemberFactory.create_batch(250)
    Membership.objects.bulk_create([Membership(member=p, team=village, role=Role.MEMBER) for p in people])
    task = make_task(world.c1, world.coord_c1)
    # One INSERT ... SELECT for the assignments (each stands for its "assigned" step), plus a fixed
    # handful (the targets re-read under the task's lock, the background-threshold count among them).
    with django_assert_max_num_queries(12):
        result = services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    assert result.created == 253
    assert task.assignments.filter(assigned_by=world.coord_c1).count() == 253


# Late joiners -------------------------------------------------------------------

def test_late_joiner_gets_open_tasks_fanned_out_above_them(world, task_c1, task_c2):
    newcomer = MemberFactory()
    team_services.membership_create(member=newcomer, team=world.v1b, role=Role.MEMBER, actor=world.coord_c1)
    assert Assignment.objects.filter(assignee=newcomer).count() == 1
    late = Assignment.objects.select_related("assigned_by").get(assignee=newcomer)
    with translation.override("en"):
        step = assignment_timeline(late)[0]
    assert (step.id, step.kind, step.actor, step.note) == (0, "assigned", world.coord_c1,
                                                            "Joined a team this task was assigned to.")
    a = assignment_of(task_c1, newcomer)
    assert a.team_id == world.v1b.pk and a.status == "assigned"
    assert not a.events.exists()  # the row is the step


def test_late_joiner_registered_through_the_api(world, client_for, task_c1):
    response = client_for(world.coord_c1).post("/api/v1/members/", {
        "phone": "0987654321", "full_name": "Người Mới", "password": "mot-mat-khau-dai-2026",
        "team": world.v1a.pk, "role": "member",
    }, format="json")
    assert response.status_code == 201, response.content
    assert task_c1.assignments.filter(assignee_id=response.json()["id"]).exists()


@pytest.mark.parametrize("case", ["observer", "closed", "cancelled", "direct_only", "other_subtree"])
def test_late_joiner_is_not_assigned(world, case):
    task = make_task(world.c1, world.coord_c1)
    if case == "direct_only":
        services.task_assign(task=task, actor=world.coord_c1, members=[world.member_v1a])
    else:
        services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    if case == "closed":
        services.task_update(task=task, actor=world.coord_c1, status="closed")
    if case == "cancelled":
        services.task_cancel(task=task, actor=world.coord_c1)
    team = world.v1b if case == "other_subtree" else world.v1a
    role = Role.OBSERVER if case == "observer" else Role.MEMBER
    newcomer = MemberFactory()
    team_services.membership_create(member=newcomer, team=team, role=role, actor=world.coord_c1)
    assert not Assignment.objects.filter(assignee=newcomer).exists()


def test_late_joiner_who_already_has_the_task_keeps_one(world, task_c1):
    # member_v1a joins a second village of the same commune.
    team_services.membership_create(member=world.member_v1a, team=world.v1b, role=Role.MEMBER,
                                    actor=world.coord_c1)
    assert task_c1.assignments.filter(assignee=world.member_v1a).count() == 1


def test_teams_and_members_together_count_each_person_once(world):
    task = make_task(world.c1, world.coord_c1)
    result = services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a],
                                  members=[world.member_v1a, world.member_v1b, world.coord_v1a])
    assert result == services.AssignResult(created=4, already_assigned=0)
    assert assignment_of(task, world.member_v1a).team_id == world.v1a.pk
    assert task.assignments.filter(assigned_by=world.coord_c1, joined_late=False).count() == 4
    again = services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1], members=[world.member_v1a])
    assert again == services.AssignResult(created=0, already_assigned=3)
