"""OWASP API5, broken function level authorization: the role x action rules.

- Members never create tasks or campaigns, assign, cancel, review or manage teams and
  people: 403 on every such endpoint, whatever the body (the role is checked first).
- Observers never write: 403 on every write endpoint but the caller's own session,
  profile, feed and devices.
- Coordinators never act outside their subtree: ids in the URL are 404
  (test_object_authorization.py), ids in a body are a 400 naming the field.
In every refused case no table changes.

The write endpoints are read from the permission matrix, which the URLconf walk keeps
complete, so an endpoint added later falls under these rules without a new test.
"""
import json

import pytest
from django.db import transaction

from tasks.models import Campaign, Task
from teams.choices import Role
from tests.factories import CampaignFactory, TaskFactory
from tests.security.matrix import MATRIX, body_for, build_home, model_counts

pytestmark = pytest.mark.django_db

# Every person may write these for themselves: their session, profile, feed and devices; and
# anyone, signed in or not, may register with an invite's code (it asks; a coordinator decides).
OWN = {"token-obtain", "token-refresh", "logout", "me", "me-password", "notification-read-all", "notification-read",
       "device-list", "device-detail", "register"}
# A reader's own report subscriptions (coordinators and observers subscribe for themselves).
READERS_OWN = {"report-subscription-list", "report-subscription-detail"}
# The assignee's own steps: open to whoever holds the assignment, whatever their role.
ASSIGNEE_STEPS = {"assignment-start", "assignment-complete", "assignment-decline"}
# Answering a survey: open to its audience, whatever their role (members above all).
AUDIENCE_STEPS = {"survey-responses"}
WRITES = [(name, method) for name, endpoint in MATRIX.items() for method in endpoint.methods
          if method != "get" and name not in OWN]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _attempts(endpoint, method, world):
    """The valid body, an empty one and nonsense: the answer must not depend on it."""
    return [body_for(endpoint, method, world), {}, {"team": "not-an-id", "title": None, "teams": "x" * 300}]


def _refused(world, client_for, who, name, method):
    endpoint = MATRIX[name]
    codes = []
    for body in _attempts(endpoint, method, world):
        with transaction.atomic():
            obj = build_home(endpoint.kind, world) if endpoint.kind else None
            url = endpoint_url(name, obj)
            before = model_counts()
            response = getattr(client_for(who), method)(url, data=json.dumps(body), content_type="application/json")
            codes.append(response.status_code)
            assert model_counts() == before, f"{method.upper()} {name} changed tables"
            transaction.set_rollback(True)
    return codes


def endpoint_url(name, obj):
    from django.urls import reverse

    return reverse(name, kwargs={"pk": obj.pk}) if obj is not None else reverse(name)


def test_the_rules_cover_the_write_endpoints():
    names = {name for name, _method in WRITES}
    assert {"task-list", "campaign-list", "task-assign", "task-cancel", "assignment-verify",
            "assignment-reject", "team-detail", "member-list", "membership-detail"} <= names


@pytest.mark.parametrize("name,method", [(n, m) for n, m in WRITES if n not in READERS_OWN])
def test_observers_never_write(world, client_for, media, name, method):
    """An observer of the district, on objects it can see (the home subtree lies in it)."""
    codes = _refused(world, client_for, world.observer_district, name, method)
    assert codes == [403, 403, 403]


@pytest.mark.parametrize("name,method", [(n, m) for n, m in WRITES if n not in ASSIGNEE_STEPS | AUDIENCE_STEPS])
def test_members_never_manage_plan_or_review(world, client_for, media, name, method):
    """member_v1a on their own village's objects and their own assignment."""
    codes = _refused(world, client_for, world.member_v1a, name, method)
    assert codes == [403, 403, 403]


def test_a_member_reviewing_a_teammates_work_is_403(world, client_for):
    """Even on work of their own village that they can see through nothing but their team."""
    from tests.factories import AssignmentFactory

    task = TaskFactory(team=world.v1a, created_by=world.coord_v1a)
    mine = AssignmentFactory(task=task, assignee=world.member_v1a, team=world.v1a)
    theirs = AssignmentFactory(task=task, assignee=world.member_v1a_2, team=world.v1a, status="completed",
                               evidence_url="https://x.vn/1")
    client = client_for(world.member_v1a)
    assert client.post(f"/api/v1/assignments/{theirs.pk}/verify/", {}, format="json").status_code == 403
    assert client.post(f"/api/v1/assignments/{mine.pk}/verify/", {}, format="json").status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "completed" and theirs.reviewed_by_id is None


@pytest.fixture
def sibling(world):
    """Objects of the sibling commune c2, which coord_c1 must not touch."""
    campaign = CampaignFactory(team=world.c2, created_by=world.coord_c2)
    task = TaskFactory(team=world.c2, created_by=world.coord_c2, campaign=campaign)
    return campaign, task


@pytest.fixture
def home(world):
    campaign = CampaignFactory(team=world.c1, created_by=world.coord_c1)
    task = TaskFactory(team=world.c1, created_by=world.coord_c1, campaign=campaign)
    return campaign, task


def _body_cases(world, home, sibling):
    (home_campaign, home_task), (sib_campaign, _sib_task) = home, sibling
    task = {"title": "Bình luận", "kind": "comment", "platform": "zalo"}
    member = {"phone": "0912000444", "full_name": "Người Mới", "password": "river-lantern-42-moss",
              "role": Role.MEMBER}
    return [
        # (caller, method, url, body, the field the 400 names)
        ("coord_c1", "post", "/api/v1/teams/", {"name": "Thôn 9", "level": "village", "parent": world.c2.pk},
         "parent"),
        ("coord_c1", "post", "/api/v1/teams/", {"name": "Xã 9", "level": "commune", "parent": world.district.pk},
         "parent"),
        ("coord_c1", "patch", f"/api/v1/teams/{world.v1a.pk}/", {"parent": world.c2.pk}, "parent"),
        ("coord_c1", "post", "/api/v1/members/", {**member, "team": world.v2a.pk}, "team"),
        ("coord_c1", "post", "/api/v1/members/", {**member, "team": world.district.pk}, "team"),
        ("coord_c1", "post", "/api/v1/memberships/",
         {"member": world.member_v1a.pk, "team": world.v2a.pk, "role": Role.MEMBER}, "team"),
        ("coord_c1", "post", "/api/v1/memberships/",
         {"member": world.member_v2a.pk, "team": world.v1a.pk, "role": Role.MEMBER}, "member"),
        ("coord_v1a", "post", "/api/v1/memberships/",
         {"member": world.member_v1a.pk, "team": world.c1.pk, "role": Role.COORDINATOR}, "team"),
        ("coord_c1", "post", "/api/v1/campaigns/", {"name": "Khác", "team": world.c2.pk}, "team"),
        ("coord_c1", "patch", f"/api/v1/campaigns/{home_campaign.pk}/", {"team": world.c2.pk}, "team"),
        ("coord_c1", "post", "/api/v1/tasks/", {**task, "team": world.c2.pk}, "team"),
        ("coord_c1", "post", "/api/v1/tasks/", {**task, "team": world.district.pk}, "team"),
        ("coord_v1a", "post", "/api/v1/tasks/", {**task, "team": world.c1.pk}, "team"),
        ("coord_c1", "post", "/api/v1/tasks/", {**task, "team": world.c1.pk, "campaign": sib_campaign.pk},
         "campaign"),
        ("coord_c1", "patch", f"/api/v1/tasks/{home_task.pk}/", {"campaign": sib_campaign.pk}, "campaign"),
        ("coord_c1", "post", f"/api/v1/tasks/{home_task.pk}/assign/", {"teams": [world.v2a.pk]}, "teams"),
        ("coord_c1", "post", f"/api/v1/tasks/{home_task.pk}/assign/", {"teams": [world.district.pk]}, "teams"),
        ("coord_c1", "post", f"/api/v1/tasks/{home_task.pk}/assign/", {"members": [world.member_v2a.pk]},
         "members"),
        ("coord_c1", "post", f"/api/v1/tasks/{home_task.pk}/assign/",
         {"teams": [world.v1a.pk], "members": [world.coord_district.pk]}, "members"),
        ("coord_c1", "get", f"/api/v1/teams/{world.c1.pk}/stats/", {"campaign": sib_campaign.pk}, "campaign"),
        ("coord_c1", "get", f"/api/v1/teams/{world.c1.pk}/stats/", {"task": sibling[1].pk}, "task"),
    ]


def test_coordinators_never_reach_outside_their_subtree_through_a_body(world, client_for, home, sibling):
    problems = []
    for caller, method, url, body, field in _body_cases(world, home, sibling):
        before = model_counts()
        client = client_for(getattr(world, caller))
        if method == "get":
            response = client.get(url, body)
        else:
            response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
        errors = response.json().get("errors", {}) if response.status_code == 400 else {}
        named = any(key == field or key.startswith(f"{field}.") for key in errors)  # "teams.0": one item
        if response.status_code != 400 or not named:
            problems.append(f"{caller} {method.upper()} {url} {body}: {response.status_code} {response.content!r}")
        if model_counts() != before:
            problems.append(f"{caller} {method.upper()} {url} {body}: changed tables")
    assert not problems, "\n".join(problems)
    assert Task.objects.count() == 2 and Campaign.objects.count() == 2
