"""Nothing lost: no delete takes people's work or its history with it.

- No foreign key anywhere CASCADEs from a member, a team, a task or an assignment, and no
  table that holds history (every table of ours, the change history, the admin's log) is
  ever emptied by a CASCADE. The few exceptions are Django's own tables, listed with the
  reason and a check that the reason holds.
- People are deactivated, never deleted: no API route or admin page deletes a member.
- Every DELETE endpoint of the URLconf, tried on an object with dependants, leaves every
  dependant row in place: either it refuses (409) or it removes that one row and nothing else.
"""
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import CASCADE
from django.test import RequestFactory
from django.utils import timezone

from notifications.models import Device, Notification, PushDelivery
from tasks import services as task_services
from tasks.models import Assignment, AssignmentEvent, Campaign, Task, TaskTarget
from teams.choices import Role
from teams.models import Member, Membership, Team
from tests.factories import CampaignFactory, MembershipFactory
from tests.security.matrix import api_endpoints, model_counts

pytestmark = pytest.mark.django_db

OURS = {"teams", "tasks", "notifications", "reports", "api"}
SOURCES = {Member, Team, Task, Assignment}

# Django's own tables that CASCADE from a member, and why no record is lost through them.
DJANGO_CASCADES = {
    # The rows of Member.groups / Member.user_permissions: part of the member row itself.
    ("teams.Member_groups", "member"): "m2m rows of the member; members are never deleted",
    ("teams.Member_user_permissions", "member"): "m2m rows of the member; members are never deleted",
    # The admin's log of changes (history) by a staff member: lost only if the member
    # were deleted, which neither the API nor the admin allows (test below).
    ("admin.LogEntry", "user"): "members are never deleted",
}


def _holds_history(model) -> bool:
    """Every table of ours (work, timelines, feeds, change history) and the admin's log;
    not the m2m rows of Django's permission system (Member.groups), which record no event."""
    if model._meta.auto_created:
        return False
    return model._meta.app_label in OURS or model._meta.label == "admin.LogEntry"


def _cascades():
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not (field.concrete and getattr(field, "remote_field", None)
                    and (field.many_to_one or field.one_to_one)):
                continue
            if field.remote_field.on_delete is CASCADE:
                yield model, field


def test_no_cascade_from_people_teams_tasks_or_assignments_or_into_history():
    found = {}
    for model, field in _cascades():
        if field.related_model in SOURCES or _holds_history(model):
            found[(model._meta.label, field.name)] = f"CASCADE from {field.related_model._meta.label}"
    unexplained = {key: what for key, what in found.items() if key not in DJANGO_CASCADES}
    assert not unexplained, (
        f"These foreign keys would delete rows with the object they point at: {unexplained}. "
        f"Use PROTECT (or SET_NULL/DO_NOTHING for history tables) so nothing is lost."
    )
    assert set(DJANGO_CASCADES) <= set(found), "an exception is no longer needed: remove it"


def test_the_check_sees_every_kind_of_key():
    """The walk reaches auto-created m2m tables, history models and other apps' models."""
    seen = {(model._meta.label, field.name) for model, field in _cascades()}
    assert ("teams.Member_groups", "member") in seen
    assert ("admin.LogEntry", "user") in seen
    labels = {m._meta.label for m in apps.get_models(include_auto_created=True)}
    assert {"reports.HistoricalTask", "tasks.AssignmentEvent", "notifications.PushDelivery"} <= labels


def test_members_are_never_deleted(world):
    """The reason the exceptions above hold: no route deletes a member, nor does the admin."""
    endpoints = api_endpoints()
    assert "delete" not in endpoints["member-detail"][1] and "delete" not in endpoints["member-list"][1]
    assert "delete" not in endpoints["me"][1]
    request = RequestFactory().get("/admin/")
    request.user = world.superuser
    member_admin = admin.site._registry[Member]
    assert member_admin.has_delete_permission(request) is False
    assert member_admin.has_delete_permission(request, world.member_v1a) is False
    assert "delete_selected" not in member_admin.get_actions(request)


# Every DELETE endpoint on an object with dependants -----------------------------------

@pytest.fixture
def work(world, settings):
    """A commune with its work done: a campaign, a task fanned out, completed, verified and
    rejected, a timeline, notifications and push deliveries, a renamed team (history)."""
    campaign = CampaignFactory(team=world.c1, created_by=world.coord_c1)
    task = task_services.task_create(actor=world.coord_c1, team=world.c1, title="Chia sẻ", kind="share",
                                     platform="facebook", campaign=campaign,
                                     due_at=timezone.now() + timedelta(days=2))
    task_services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    done = Assignment.objects.get(task=task, assignee=world.member_v1a)
    task_services.assignment_complete(assignment=done, actor=world.member_v1a, evidence_url="https://x.vn/1")
    task_services.assignment_verify(assignment=done, actor=world.coord_c1)
    other = Assignment.objects.get(task=task, assignee=world.member_v1b)
    task_services.assignment_complete(assignment=other, actor=world.member_v1b, evidence_url="https://x.vn/2")
    task_services.assignment_reject(assignment=other, actor=world.coord_c1, reason="Sai")
    device = Device.objects.create(member=world.member_v1a, token="token-v1a", platform="android")
    notification = Notification.objects.create(recipient=world.member_v1a, kind="assigned", task=task,
                                               assignment=done, params={})
    PushDelivery.objects.create(notification=notification, device=device, platform="android", sender="fcm",
                                outcome="sent", title="t", body="b")
    # member_v1a also holds a second role, so that one of them can be removed
    MembershipFactory(member=world.member_v1a, team=world.v1b, role=Role.OBSERVER)
    world.v1a.name = "Thôn Một"
    world.v1a.save()
    world.task, world.campaign, world.device = task, campaign, device
    return world


def _empty_team_with_history(world):
    team = Team.objects.create(name="Thôn tạm", level="village", parent=world.c1)
    team.path = f"{world.c1.path}{team.pk}/"
    team.save()
    return team


def _subscription_without_reports(w):
    # One with reports made is ended, not deleted: tests/reports/test_subscriptions.py.
    from reports.models import ReportSubscription

    return ReportSubscription.objects.create(member=w.observer_district, team=w.district, period="week",
                                             format="json")


# url name -> [(what, build(world) -> object, caller attribute, expected status)]
DELETES = {
    "team-detail": [
        ("a village with members, assignments, a remembered target and history",
         lambda w: w.v1a, "coord_c1", 409),
        ("a commune with child teams, a campaign and a task", lambda w: w.c1, "coord_district", 409),
        ("the same as a superuser", lambda w: w.c1, "superuser", 409),
        ("an empty team: it goes, its change history stays", _empty_team_with_history, "coord_c1", 204),
    ],
    "membership-detail": [
        ("a person's only role, with their work under it",
         lambda w: Membership.objects.get(member=w.member_v1b, team=w.v1b), "coord_c1", 409),
        ("one of two roles: the role goes, the work done through that team stays",
         lambda w: Membership.objects.get(member=w.member_v1a, team=w.v1a), "coord_c1", 204),
    ],
    "device-detail": [
        ("a push token with deliveries: they stay", lambda w: w.device, "member_v1a", 204),
    ],
    "report-subscription-detail": [
        ("a subscription with no report made yet: it goes, nothing else", _subscription_without_reports,
         "observer_district", 204),
    ],
}


def test_every_delete_endpoint_is_tried():
    served = {name for name, (_route, methods) in api_endpoints().items() if "delete" in methods}
    assert served == set(DELETES), "give each DELETE endpoint an object with dependants here"


def _ids(model):
    return set(model._default_manager.values_list("pk", flat=True))


@pytest.mark.parametrize("name,case", [(n, i) for n, cases in DELETES.items() for i in range(len(cases))])
def test_a_delete_keeps_every_other_row(work, client_for, name, case):
    from django.urls import reverse

    _what, build, caller, expected = DELETES[name][case]
    obj = build(work)
    models = [m for m in apps.get_models() if m._meta.managed]
    before = {m._meta.label: _ids(m) for m in models}
    counts = model_counts()
    assert counts["tasks.Assignment"] >= 3 and counts["tasks.AssignmentEvent"] >= 4
    assert counts["reports.HistoricalTeam"] > 0 and counts["notifications.PushDelivery"] == 1

    response = client_for(getattr(work, caller)).delete(reverse(name, kwargs={"pk": obj.pk}))
    assert response.status_code == expected, response.content

    for model in models:
        label = model._meta.label
        lost = before[label] - _ids(model)
        allowed = {obj.pk} if (expected == 204 and model is type(obj)) else set()
        assert lost == allowed, f"{label} lost rows {sorted(lost - allowed)} on DELETE {name}"
    if expected == 204:
        assert not type(obj).objects.filter(pk=obj.pk).exists()
    if name == "membership-detail" and expected == 204:
        # the work done through the team the role was in is all there, with its timeline
        assert Assignment.objects.filter(assignee=work.member_v1a, team=work.v1a, status="verified").exists()
        # (the rows themselves stand for their "assigned" steps)
        assert AssignmentEvent.objects.filter(assignment__assignee=work.member_v1a).count() == 2
    if name == "device-detail":
        assert PushDelivery.objects.get().device_id is None


def test_deactivation_keeps_the_persons_work_and_history(work, client_for):
    counts = model_counts()
    response = client_for(work.coord_c1).patch(f"/api/v1/members/{work.member_v1a.pk}/", {"is_active": False},
                                               format="json")
    assert response.status_code == 200, response.content
    after = model_counts()
    assert Member.objects.get(pk=work.member_v1a.pk).is_active is False
    assert all(after[label] >= counts[label] for label in counts), {
        label: (counts[label], after[label]) for label in counts if after[label] < counts[label]}
    assert Assignment.objects.filter(assignee=work.member_v1a, status="verified").exists()
    assert TaskTarget.objects.filter(task=work.task).exists()
    assert Campaign.objects.filter(pk=work.campaign.pk).exists()
