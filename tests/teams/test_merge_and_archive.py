"""Archiving and merging teams (issue 10, point 2), on SQLite and PostgreSQL.

The world's communes Tâm Thắng (c1) and Nam Dong (c2) sit side by side under the district;
`merge` below folds Nam Dong into Tâm Thắng, as the 2025 reform merged communes.
"""
import pytest

from reports.models import AssignmentTally
from tasks import services as task_services
from tasks.models import Assignment, Campaign, Task, TaskTarget
from teams.choices import Level, Role, TeamKind
from teams.models import Membership, Team
from tests.factories import CampaignFactory, MemberFactory, MembershipFactory, TeamFactory
from tests.tasks.conftest import make_task

URL = "/api/v1/teams/"


def merge(client, team, into):
    return client.post(f"{URL}{team.pk}/merge/", {"into": into.pk}, format="json")


def stats(client, team):
    response = client.get(f"{URL}{team.pk}/stats/")
    assert response.status_code == 200, response.content
    body = response.json()
    return body["assignments"]


@pytest.fixture
def merged_world(world):
    """Work and people on both communes, some people in both."""
    w = world
    w.member_c2 = MemberFactory(full_name="Thành viên xã Nam Dong")
    MembershipFactory(member=w.member_c2, team=w.c2, role=Role.MEMBER)
    # people in both communes: the stronger role is kept
    MembershipFactory(member=w.coord_c2, team=w.c1, role=Role.MEMBER)  # coordinator in c2 wins
    MembershipFactory(member=w.coord_c1, team=w.c2, role=Role.OBSERVER)  # coordinator in c1 stays
    w.both = MemberFactory(full_name="Người hai xã")
    MembershipFactory(member=w.both, team=w.c1, role=Role.MEMBER)
    MembershipFactory(member=w.both, team=w.c2, role=Role.OBSERVER)
    w.camp_c2 = CampaignFactory(name="Chiến dịch Nam Dong", team=w.c2, created_by=w.coord_c2)
    w.task_c2 = make_task(w.c2, w.coord_c2, title="Việc của Nam Dong", campaign=w.camp_c2)
    task_services.task_assign(task=w.task_c2, actor=w.coord_c2, teams=[w.c2])
    w.task_district = make_task(w.district, w.coord_district, title="Việc của huyện")
    task_services.task_assign(task=w.task_district, actor=w.coord_district, teams=[w.c1, w.c2])
    a = Assignment.objects.get(task=w.task_c2, assignee=w.member_c2)
    task_services.assignment_complete(assignment=a, actor=w.member_c2, evidence_url="https://x.vn/1")
    task_services.assignment_verify(assignment=a, actor=w.coord_district)
    return w


def test_a_merge_moves_everything_and_keeps_the_stronger_role(merged_world, client_for):
    w = merged_world
    c1_memberships, c2_memberships = (Membership.objects.filter(team=t).count() for t in (w.c1, w.c2))
    response = merge(client_for(w.coord_district), w.c2, w.c1)
    assert response.status_code == 200, response.content
    assert response.json()["id"] == w.c1.pk

    w.c2.refresh_from_db()
    assert (w.c2.is_active, w.c2.merged_into_id) == (False, w.c1.pk)
    w.v2a.refresh_from_db()
    assert w.v2a.parent_id == w.c1.pk and w.v2a.path == f"{w.c1.path}{w.v2a.pk}/"
    assert not Membership.objects.filter(team=w.c2).exists()
    roles = dict(Membership.objects.filter(team=w.c1).values_list("member_id", "role"))
    assert roles[w.coord_c2.pk] == Role.COORDINATOR
    assert roles[w.coord_c1.pk] == Role.COORDINATOR
    assert roles[w.both.pk] == Role.OBSERVER
    assert roles[w.member_c2.pk] == Role.MEMBER
    assert Membership.objects.filter(team=w.c1).count() == c1_memberships + c2_memberships - 3  # three were in both
    for model in (Task, Campaign, TaskTarget, Assignment):
        assert not model.objects.filter(team=w.c2).exists(), model
    assert Task.objects.get(pk=w.task_c2.pk).team_id == w.c1.pk
    assert Campaign.objects.get(pk=w.camp_c2.pk).team_id == w.c1.pk
    # the district task was aimed at both communes: one target is left
    assert list(TaskTarget.objects.filter(task=w.task_district).values_list("team_id", flat=True)) == [w.c1.pk]
    assert Assignment.objects.get(task=w.task_c2, assignee=w.member_c2).team_id == w.c1.pk
    # the merged team stays readable, out of the default list
    client = client_for(w.coord_district)
    detail = client.get(f"{URL}{w.c2.pk}/")
    assert detail.status_code == 200 and detail.json()["merged_into"] == w.c1.pk
    listed = {t["id"] for t in client.get(URL, {"page_size": 200}).json()["results"]}
    assert w.c2.pk not in listed and w.c1.pk in listed
    inactive = {t["id"] for t in client.get(URL, {"is_active": "false"}).json()["results"]}
    assert inactive == {w.c2.pk}
    both = {t["id"] for t in client.get(URL, {"is_active": "any", "page_size": 200}).json()["results"]}
    assert both == listed | {w.c2.pk}
    assert client.get(URL, {"is_active": "maybe"}).status_code == 400


def test_the_merge_is_in_history(merged_world, client_for):
    w = merged_world
    client = client_for(w.coord_district)
    assert merge(client, w.c2, w.c1).status_code == 200
    source = client.get(f"{URL}{w.c2.pk}/history/").json()["results"][0]
    changes = {c["field"]: c for c in source["changes"]}
    assert changes["is_active"]["new"] == "false" and changes["merged_into"]["new"] == str(w.c1.pk)
    assert "merged" in source["reason"] and source["changed_by"]["id"] == w.coord_district.pk
    into = client.get(f"{URL}{w.c1.pk}/history/").json()["results"][0]
    assert "Nam Dong" in into["reason"]
    moved = Membership.history.filter(team_id=w.c1.pk, history_change_reason__contains="merged")
    assert moved.filter(member_id=w.member_c2.pk, history_type="~").exists()
    assert moved.filter(member_id=w.coord_c2.pk, history_type="~", role=Role.COORDINATOR).exists()
    gone = Membership.history.filter(team_id=w.c2.pk, history_type="-")
    assert set(gone.values_list("member_id", flat=True)) == {w.coord_c2.pk, w.coord_c1.pk, w.both.pk}
    assert Team.history.filter(id=w.v2a.pk, path=f"{w.c1.path}{w.v2a.pk}/").exists()


def test_statistics_keep_the_merged_teams_past_work(merged_world, client_for):
    w = merged_world
    client = client_for(w.coord_district)
    district, c1, c2 = stats(client, w.district), stats(client, w.c1), stats(client, w.c2)
    assert c2["total"] > 0
    assert merge(client, w.c2, w.c1).status_code == 200
    assert stats(client, w.district) == district
    after = stats(client, w.c1)
    for key, value in after.items():
        if isinstance(value, int) and not isinstance(value, bool):
            assert value == c1[key] + c2[key], key
    assert after["total"] == c1["total"] + c2["total"]


def test_the_tally_equals_live_counts_after_a_merge(merged_world, client_for):
    from django.db import connection
    from django.db.models import Count

    w = merged_world
    assert merge(client_for(w.superuser), w.c2, w.c1).status_code == 200
    if connection.vendor == "postgresql":
        live = {(r["team_id"], r["task_id"], r["status"]): r["n"] for r in
                Assignment.objects.values("team_id", "task_id", "status").annotate(n=Count("id")).order_by()}
        assert {(t.team_id, t.task_id, t.status): t.n for t in AssignmentTally.objects.exclude(n=0)} == live


@pytest.fixture
def youth(world):
    y = TeamFactory(name="Đoàn xã", level=Level.COMMUNE, kind=TeamKind.ORGANISATION, parent=world.c1)
    y.inner = TeamFactory(name="Đoàn xã (khối)", level=Level.COMMUNE, kind=TeamKind.ORGANISATION, parent=y)
    return y


@pytest.mark.parametrize("team,into,field", [
    ("c1", "c1", "into"),  # itself
    ("c1", "district", "into"),  # another level
    ("c1", "youth", "into"),  # another kind
    ("youth", "youth_inner", "into"),  # into its own subtree
])
def test_refused_merges_are_a_400_and_change_nothing(world, youth, client_for, team, into, field):
    teams = {**vars(world), "youth": youth, "youth_inner": youth.inner}
    before = list(Team.objects.order_by("pk").values_list("pk", "parent_id", "path", "is_active"))
    response = merge(client_for(world.superuser), teams[team], teams[into])
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert list(Team.objects.order_by("pk").values_list("pk", "parent_id", "path", "is_active")) == before


def test_only_a_coordinator_above_both_merges(world, client_for):
    both = MemberFactory(full_name="Điều phối hai xã")
    MembershipFactory(member=both, team=world.c1, role=Role.COORDINATOR)
    MembershipFactory(member=both, team=world.c2, role=Role.COORDINATOR)
    assert merge(client_for(both), world.c2, world.c1).status_code == 403  # coordinates both, not above
    assert merge(client_for(world.coord_c2), world.c2, world.c1).status_code == 400  # `into` out of reach
    assert merge(client_for(world.coord_c1), world.c2, world.c1).status_code == 404  # c2 out of scope
    assert merge(client_for(world.observer_district), world.c2, world.c1).status_code == 403
    assert merge(client_for(world.member_v2a), world.v2a, world.v1a).status_code == 403
    assert merge(client_for(world.coord_other_district), world.c2, world.c1).status_code == 404
    assert Team.objects.get(pk=world.c2.pk).is_active
    assert merge(client_for(world.coord_district), world.c2, world.c1).status_code == 200


def test_an_inactive_team_is_not_merged_again(world, client_for):
    client = client_for(world.superuser)
    assert merge(client, world.c2, world.c1).status_code == 200
    response = merge(client, world.c2, world.c1)
    assert response.status_code == 409 and response.json()["code"] == "team_inactive"
    other = TeamFactory(name="Xã mới", level=Level.COMMUNE, parent=world.district)
    assert merge(client, other, world.c2).status_code == 409


# Archive ------------------------------------------------------------------------------------

def archive(client, team, value=False):
    return client.patch(f"{URL}{team.pk}/", {"is_active": value}, format="json")


def test_archive_is_refused_while_people_or_open_work_remain(world, client_for):
    client = client_for(world.coord_district)
    response = archive(client, world.v2a)
    assert response.status_code == 409 and response.json()["code"] == "team_in_use"
    assert "Dương Thị Mai" in response.json()["detail"]
    Membership.objects.filter(team=world.v2a).update(team=world.c2)
    task = make_task(world.v2a, world.coord_district, title="Việc còn mở")
    response = archive(client, world.v2a)
    assert response.status_code == 409 and "Việc còn mở" in response.json()["detail"]
    task_services.task_cancel(task=task, actor=world.coord_district)
    response = archive(client, world.c2)
    assert response.status_code == 409 and "Thôn 4" in response.json()["detail"]  # an active child team
    assert archive(client, world.v2a).status_code == 200
    assert Team.objects.get(pk=world.v2a.pk).is_active is False


def test_an_archived_team_takes_nothing_new_and_can_come_back(world, client_for):
    empty = TeamFactory(name="Thôn Trống", level=Level.VILLAGE, parent=world.c1)
    client = client_for(world.coord_c1)
    assert archive(client, empty).status_code == 200
    assert empty.pk not in {t["id"] for t in client.get(URL, {"page_size": 200}).json()["results"]}
    assert client.get(f"{URL}{empty.pk}/").status_code == 200
    refused = [
        client.post("/api/v1/members/", {"phone": "0987000111", "full_name": "Mới", "password": "rất-dài-và-khó-9",
                                         "team": empty.pk, "role": "member"}, format="json"),
        client.post("/api/v1/memberships/", {"member": world.member_v1b.pk, "team": empty.pk, "role": "member"},
                    format="json"),
        client.post("/api/v1/tasks/", {"title": "X", "kind": "share", "platform": "facebook", "team": empty.pk},
                    format="json"),
        client.post("/api/v1/campaigns/", {"name": "X", "team": empty.pk}, format="json"),
        client.post("/api/v1/surveys/", {"team": empty.pk, "title": "X", "closes_at": "2099-01-01T00:00:00Z",
                                         "questions": [{"kind": "text", "text": "Ý kiến?"}]}, format="json"),
    ]
    for response in refused:
        assert response.status_code == 400 and "team" in response.json()["errors"], response.content
    response = client.post(URL, {"name": "Con", "level": "village", "kind": "organisation", "parent": empty.pk},
                           format="json")
    assert response.status_code == 400 and "parent" in response.json()["errors"]
    task = make_task(world.c1, world.coord_c1)
    response = client.post(f"/api/v1/tasks/{task.pk}/assign/", {"teams": [empty.pk]}, format="json")
    assert response.status_code == 400 and "teams" in response.json()["errors"]
    assert archive(client, empty, True).status_code == 200
    assert Team.objects.get(pk=empty.pk).is_active


def test_a_merged_team_does_not_come_back(world, client_for):
    client = client_for(world.superuser)
    assert merge(client, world.c2, world.c1).status_code == 200
    response = archive(client, world.c2, True)
    assert response.status_code == 409 and response.json()["code"] == "team_merged"


def test_a_merge_moves_topics_channels_content_and_report_subscriptions(merged_world, client_for):
    """What the apps above hang on a commune moves too (a merged team with a topic or a
    report subscription was a 500: their PROTECTed keys had no handler)."""
    from publishing.models import Channel, ContentItem
    from publishing.services import channel_create, content_create
    from reports.models import ReportSubscription
    from reports.subscriptions import report_subscription_create
    from tasks.models import Topic

    w = merged_world
    clash_c1 = Topic.objects.create(team=w.c1, name="Cảnh báo lừa đảo")
    clash_c2 = Topic.objects.create(team=w.c2, name="Cảnh báo lừa đảo")
    own_c2 = Topic.objects.create(team=w.c2, name="Người tốt việc tốt")
    channel = channel_create(actor=w.coord_c2, team=w.c2, platform="facebook", name="Trang xã Nam Dong",
                             url="https://www.facebook.com/xanamdong", kind="page")
    item = content_create(actor=w.coord_c2, team=w.c2, title="Cảnh giác", topic=clash_c2)
    watched = report_subscription_create(member=w.coord_district, team=w.c2, period="month", format="xlsx")
    twice = report_subscription_create(member=w.coord_c1, team=w.c2, period="month", format="pdf")
    kept = report_subscription_create(member=w.coord_c1, team=w.c1, period="month", format="pdf")

    response = merge(client_for(w.coord_district), w.c2, w.c1)
    assert response.status_code == 200, response.content

    names = dict(Topic.objects.filter(team=w.c1).values_list("pk", "name"))
    assert names == {clash_c1.pk: "Cảnh báo lừa đảo", clash_c2.pk: "Cảnh báo lừa đảo (Nam Dong)",
                     own_c2.pk: "Người tốt việc tốt"}
    assert ContentItem.objects.get(pk=item.pk).team_id == w.c1.pk
    assert ContentItem.objects.get(pk=item.pk).topic_id == clash_c2.pk  # still the same topic
    assert Channel.objects.get(pk=channel.pk).team_id == w.c1.pk
    watched.refresh_from_db(), twice.refresh_from_db(), kept.refresh_from_db()
    assert (watched.team_id, watched.ended_at) == (w.c1.pk, None)
    assert twice.team_id == w.c1.pk and twice.ended_at is not None  # already had c1's: one is enough
    assert kept.ended_at is None
    assert ReportSubscription.objects.filter(member=w.coord_c1, team=w.c1, ended_at__isnull=True).count() == 1
