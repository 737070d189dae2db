"""OWASP API3, broken object property level authorization, on tasks, assignments,
campaigns, memberships, members and devices: a field the caller may read but not
write is ignored when written (or refused with a 400 where the contract says so),
and the database row is the same before and after.

The read-only fields are derived from each endpoint's response (response fields
minus the fields its write serializer takes), so a field added to a response later
must get a value here before the suite passes. /api/v1/me/ is covered by
test_property_authorization.py.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Device, Notification
from tasks.models import Assignment, AssignmentEvent, Campaign, Task
from tasks.serializers import CampaignUpdateSerializer, TaskUpdateSerializer
from teams.choices import Role
from teams.models import Membership
from teams.serializers import MembershipUpdateSerializer, MemberUpdateSerializer
from tests.factories import AssignmentFactory, CampaignFactory, TaskFactory

pytestmark = pytest.mark.django_db
LONG_AGO = "2000-01-01T00:00:00Z"


def snapshot(obj) -> dict:
    """Every stored column of the row, as the database holds it now (updated_at aside:
    a PATCH that changes nothing may still touch it)."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return {f.attname: str(getattr(fresh, f.attname)) for f in type(obj)._meta.concrete_fields
            if f.name != "updated_at"}


def rows(queryset) -> list[dict]:
    return [snapshot(obj) for obj in queryset.order_by("pk")]


@pytest.fixture
def task(world):
    campaign = CampaignFactory(team=world.c1, created_by=world.coord_c1)
    task = TaskFactory(team=world.c1, campaign=campaign, created_by=world.coord_c1,
                       due_at=timezone.now() + timedelta(days=3))
    AssignmentFactory(task=task, assignee=world.member_v1a, team=world.v1a)
    AssignmentFactory(task=task, assignee=world.member_v1b, team=world.v1b)
    return task


def _values(world, other_task=None):
    """A different value for every read-only field any of these endpoints shows."""
    return {
        "id": 987654, "created_by": world.coord_c2.pk, "created_at": LONG_AGO, "updated_at": LONG_AGO,
        "team_name": "Nam Dong", "progress": {"total": 99, "verified": 99}, "is_overdue": True,
        "member": world.coord_c2.pk, "team": world.c2.pk, "memberships": [{"team": world.c2.pk,
                                                                             "role": Role.COORDINATOR}],
        "date_joined": LONG_AGO, "last_login": LONG_AGO, "is_staff": True, "is_superuser": True,
        "password": "a-new-password-77", "groups": [1], "user_permissions": [1], "role": Role.COORDINATOR,
        # fields of assignments, sent to a task
        "assignee": world.member_v2a.pk, "status_of_assignments": "verified", "evidence_url": "https://x.vn/e",
        "evidence_image": "evidence/other.png", "reviewed_by": world.coord_c2.pk, "reviewed_at": LONG_AGO,
        "completed_at": LONG_AGO, "started_at": LONG_AGO, "note": "ghi chú", "decline_reason": "lý do",
        "review_note": "duyệt", "assignments": [{"assignee": world.member_v2a.pk, "status": "verified"}],
        "targets": [world.c2.pk], "task": getattr(other_task, "pk", 1), "assignee_name": "Ai đó",
        "language": "en", "last_seen": LONG_AGO, "read_at": LONG_AGO, "recipient": world.coord_c2.pk,
        "kind": "rejected", "params": {"task_title": "khác"}, "is_read": True, "title": "x", "body": "y",
        "anonymised": True, "is_published": False, "quantity": 5,
    }


def _read_only(client, url, write_serializer) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return set(response.json()) - set(write_serializer().fields)


class TestTasks:
    EXTRA = ["assignee", "evidence_url", "evidence_image", "reviewed_by", "reviewed_at", "completed_at",
             "note", "decline_reason", "review_note", "assignments", "targets"]

    def _state(self, task):
        return snapshot(task), rows(Assignment.objects.filter(task=task)), AssignmentEvent.objects.count()

    def test_every_read_only_field_of_a_task_changes_nothing(self, world, client_for, task):
        client = client_for(world.coord_c1)
        url = f"/api/v1/tasks/{task.pk}/"
        values = _values(world)
        read_only = _read_only(client, url, TaskUpdateSerializer)
        assert {"created_by", "team", "progress", "id"} <= read_only
        assert read_only <= set(values), f"give these fields a value: {read_only - set(values)}"
        before = self._state(task)
        for field in sorted(read_only | set(self.EXTRA)):
            response = client.patch(url, {field: values[field]}, format="json")
            # The contract refuses a change of the owning team outright; the rest is ignored.
            assert response.status_code == (400 if field == "team" else 200), (field, response.content)
            assert self._state(task) == before, field

    def test_status_moves_only_between_open_and_closed(self, world, client_for, task):
        client = client_for(world.coord_c1)
        before = self._state(task)
        response = client.patch(f"/api/v1/tasks/{task.pk}/", {"status": "cancelled"}, format="json")
        assert response.status_code == 400
        assert self._state(task) == before

    def test_a_new_task_is_the_callers_open_task_with_no_assignments(self, world, client_for):
        values = _values(world)
        body = {**values, "status": "closed", "title": "Bình luận", "kind": "comment", "platform": "zalo",
                "team": world.c1.pk}
        body.pop("campaign", None)
        response = client_for(world.coord_c1).post("/api/v1/tasks/", body, format="json")
        assert response.status_code == 201, response.content
        task = Task.objects.get(pk=response.json()["id"])
        assert task.pk != values["id"]
        assert (task.created_by_id, task.status, task.team_id) == (world.coord_c1.pk, "open", world.c1.pk)
        assert task.created_at > timezone.now() - timedelta(minutes=1)
        assert not Assignment.objects.filter(task=task).exists()
        assert not task.targets.exists()

    def test_a_member_cannot_assign_or_review_through_a_task_patch(self, world, client_for, task):
        """The evidence and review fields of assignments, sent with a task, as the assignee too."""
        before = self._state(task)
        response = client_for(world.member_v1a).patch(
            f"/api/v1/tasks/{task.pk}/", {"evidence_url": "https://x.vn/e", "status": "closed"}, format="json")
        assert response.status_code == 403
        assert self._state(task) == before


class TestCampaigns:
    def test_every_read_only_field_of_a_campaign_changes_nothing(self, world, client_for, task):
        campaign = task.campaign
        client = client_for(world.coord_c1)
        url = f"/api/v1/campaigns/{campaign.pk}/"
        values = _values(world)
        read_only = _read_only(client, url, CampaignUpdateSerializer)
        assert {"created_by", "id", "team_name"} <= read_only
        before = snapshot(campaign)
        for field in sorted(read_only):
            response = client.patch(url, {field: values[field]}, format="json")
            assert response.status_code == 200, (field, response.content)
            assert snapshot(campaign) == before, field

    def test_a_new_campaign_is_created_by_the_caller(self, world, client_for):
        response = client_for(world.coord_c1).post("/api/v1/campaigns/", {
            "name": "Tháng an toàn", "team": world.c1.pk, "created_by": world.coord_c2.pk, "id": 987654,
            "created_at": LONG_AGO}, format="json")
        assert response.status_code == 201, response.content
        campaign = Campaign.objects.get(pk=response.json()["id"])
        assert campaign.created_by_id == world.coord_c1.pk and campaign.pk != 987654
        assert campaign.created_at.year > 2000


class TestMemberships:
    def test_every_read_only_field_of_a_membership_changes_nothing(self, world, client_for):
        membership = Membership.objects.get(member=world.member_v1a, team=world.v1a)
        client = client_for(world.coord_c1)
        url = f"/api/v1/memberships/{membership.pk}/"
        values = _values(world)
        read_only = _read_only(client, url, MembershipUpdateSerializer)
        assert read_only == {"id", "member", "team", "created_at", "updated_at"}
        count = Membership.objects.count()
        for field in sorted(read_only):
            before = snapshot(membership)
            # role is required by this endpoint: send the current one with the read-only field
            response = client.patch(url, {"role": membership.role, field: values[field]}, format="json")
            assert response.status_code == 200, (field, response.content)
            assert snapshot(membership) == before, field
        assert Membership.objects.count() == count

    def test_a_new_membership_takes_no_id_or_date(self, world, client_for):
        response = client_for(world.coord_c1).post("/api/v1/memberships/", {
            "member": world.member_v1b.pk, "team": world.v1a.pk, "role": Role.OBSERVER, "id": 987654,
            "created_at": LONG_AGO}, format="json")
        assert response.status_code == 201, response.content
        membership = Membership.objects.get(pk=response.json()["id"])
        assert membership.pk != 987654 and membership.created_at.year > 2000


class TestMembers:
    EXTRA = ["is_staff", "is_superuser", "password", "last_login", "groups", "user_permissions", "role",
             "team"]

    def test_every_read_only_field_of_a_member_changes_nothing(self, world, client_for):
        target = world.member_v1a
        client = client_for(world.coord_c1)
        url = f"/api/v1/members/{target.pk}/"
        values = _values(world)
        read_only = _read_only(client, url, MemberUpdateSerializer)
        assert {"id", "memberships", "date_joined"} <= read_only
        before = snapshot(target), rows(Membership.objects.filter(member=target))
        for field in sorted(read_only | set(self.EXTRA)):
            response = client.patch(url, {field: values[field]}, format="json")
            assert response.status_code == 200, (field, response.content)
            assert (snapshot(target), rows(Membership.objects.filter(member=target))) == before, field
        assert not target.groups.exists() and not target.user_permissions.exists()


class TestAssignmentSteps:
    """The workflow steps change exactly the fields of their step, whatever else the body holds."""

    # step -> (actor, starting status, valid body, the columns the step may change)
    STEPS = {
        "start": ("member_v1a", "assigned", {}, {"status", "started_at"}),
        "complete": ("member_v1a", "in_progress", {"evidence_url": "https://facebook.com/p/1", "note": "Xong"},
                     {"status", "evidence_url", "note", "completed_at"}),
        "decline": ("member_v1a", "assigned", {"reason": "Bận"}, {"status", "decline_reason"}),
        "verify": ("coord_c1", "completed", {"note": "Tốt"}, {"status", "reviewed_by_id", "reviewed_at",
                                                                "review_note"}),
        "reject": ("coord_c1", "completed", {"reason": "Sai link"}, {"status", "reviewed_by_id", "reviewed_at",
                                                                      "review_note"}),
    }

    @pytest.mark.parametrize("step", list(STEPS))
    def test_a_step_ignores_every_other_field(self, world, client_for, task, step):
        actor_name, status, body, may_change = self.STEPS[step]
        other_task = TaskFactory(team=world.c2, created_by=world.coord_c2)
        assignment = Assignment.objects.get(task=task, assignee=world.member_v1a)
        Assignment.objects.filter(pk=assignment.pk).update(status=status)
        values = _values(world, other_task)
        response = client_for(world.member_v1a).get(f"/api/v1/assignments/{assignment.pk}/")
        read_only = set(response.json())
        attempt = {field: values.get(field, values["note"]) for field in read_only if field not in body}
        attempt.update({"status": "verified" if step != "verify" else "rejected", "task": other_task.pk,
                        "reviewed_by": world.coord_c2.pk, "evidence_image": "evidence/other.png"})
        if step == "complete":  # the step's own upload field (multipart only; a string is a 400)
            del attempt["evidence_image"]
            del attempt["quantity"]  # the step's own field for offline work (an online task takes none: 400)
        before = snapshot(assignment)
        actor = getattr(world, actor_name)
        response = client_for(actor).post(f"/api/v1/assignments/{assignment.pk}/{step}/", {**attempt, **body},
                                          format="json")
        assert response.status_code == 200, response.content
        after = snapshot(assignment)
        changed = {k for k in before if before[k] != after[k]}
        assert changed <= may_change, f"{step} also changed {changed - may_change}"
        fresh = Assignment.objects.get(pk=assignment.pk)
        assert (fresh.task_id, fresh.assignee_id, fresh.team_id) == (task.pk, world.member_v1a.pk, world.v1a.pk)
        assert fresh.status == {"start": "in_progress", "complete": "completed", "decline": "declined",
                                "verify": "verified", "reject": "rejected"}[step]
        if step in ("verify", "reject"):
            assert fresh.reviewed_by_id == actor.pk and fresh.reviewed_at.year > 2000
        assert not fresh.evidence_image
        # the other task and its timeline are untouched
        assert not Assignment.objects.filter(task=other_task).exists()
        assert AssignmentEvent.objects.filter(assignment=fresh).count() == 1

    def test_assignments_have_no_write_method_at_all(self, world, client_for, task):
        assignment = Assignment.objects.get(task=task, assignee=world.member_v1a)
        before = snapshot(assignment)
        for who in ("member_v1a", "coord_c1", "superuser"):
            client = client_for(getattr(world, who))
            for method in ("put", "patch", "delete"):
                response = getattr(client, method)(f"/api/v1/assignments/{assignment.pk}/",
                                                   {"status": "verified"}, format="json")
                assert response.status_code == 405, (who, method)
        assert snapshot(assignment) == before


class TestDevicesAndNotifications:
    def test_a_device_is_always_the_callers(self, world, client_for):
        response = client_for(world.member_v1a).post("/api/v1/devices/", {
            "token": "push-token-abcdef", "platform": "android", "member": world.member_v2a.pk,
            "language": "xx", "id": 987654, "created_at": LONG_AGO, "last_seen": LONG_AGO}, format="json")
        assert response.status_code == 201, response.content
        device = Device.objects.get(token="push-token-abcdef")
        assert device.member_id == world.member_v1a.pk and device.pk != 987654
        assert device.created_at.year > 2000 and device.language != "xx"

    def test_marking_read_changes_only_read_at(self, world, client_for, task):
        notification = Notification.objects.create(recipient=world.member_v1a, kind="assigned", task=task,
                                                   params={"task_title": task.title})
        before = snapshot(notification)
        values = _values(world)
        response = client_for(world.member_v1a).post(f"/api/v1/notifications/{notification.pk}/read/", {
            k: values[k] for k in ("recipient", "kind", "params", "task", "read_at", "created_at", "is_read")
        }, format="json")
        assert response.status_code == 200, response.content
        after = snapshot(notification)
        assert {k for k in before if before[k] != after[k]} == {"read_at"}
        assert Notification.objects.get(pk=notification.pk).read_at.year > 2000
