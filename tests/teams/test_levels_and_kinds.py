"""Levels that may be skipped and teams that are not areas (issue 10, point 1).

    province "Đắk Nông"
      district "Cư Jút"
        commune "Tâm Thắng" (c1)
          village "Thôn 1" (v1a)             member_v1a ...
          organisation "Đoàn Thanh niên Tâm Thắng" (youth, commune level)
                                             coord_youth; member_v1a is also a member here
            organisation "Chi đoàn Thôn 1" (youth_branch, village level)
          joint "Tổ liên chi Tâm Thắng" (joint, commune level)

Every test runs on SQLite and, with DATABASE_URL set, on PostgreSQL.
"""
import pytest
from django.core.exceptions import ValidationError

from tasks import services as task_services
from tasks.models import Assignment
from teams import services
from teams.choices import Level, Role, TeamKind
from teams.models import Team
from tests.factories import MemberFactory, MembershipFactory, TeamFactory
from tests.tasks.conftest import make_task

URL = "/api/v1/teams/"


@pytest.fixture
def org(world):
    o = world
    o.youth = TeamFactory(name="Đoàn Thanh niên Tâm Thắng", level=Level.COMMUNE, kind=TeamKind.ORGANISATION,
                          parent=world.c1)
    o.youth_branch = TeamFactory(name="Chi đoàn Thôn 1", level=Level.VILLAGE, kind=TeamKind.ORGANISATION,
                                 parent=o.youth)
    o.joint = TeamFactory(name="Tổ liên chi Tâm Thắng", level=Level.COMMUNE, kind=TeamKind.JOINT, parent=world.c1)
    o.coord_youth = MemberFactory(full_name="Bí thư Đoàn")
    MembershipFactory(member=o.coord_youth, team=o.youth, role=Role.COORDINATOR)
    MembershipFactory(member=world.member_v1a, team=o.youth, role=Role.MEMBER)
    o.youth_only = MemberFactory(full_name="Đoàn viên Chi đoàn")
    MembershipFactory(member=o.youth_only, team=o.youth_branch, role=Role.MEMBER)
    o.joint_member = MemberFactory(full_name="Bác Tổ liên chi")
    MembershipFactory(member=o.joint_member, team=o.joint, role=Role.MEMBER)
    return o


# The parent rule -------------------------------------------------------------------------

@pytest.mark.parametrize("level,kind,parent,ok", [
    # area: an area parent of any higher level
    ("commune", "area", "province", True), ("village", "area", "c1", True), ("village", "area", "province", True),
    ("village", "area", "v1a", False), ("commune", "area", "v1a", False), ("commune", "area", "c2", False),
    ("village", "area", "youth", False),  # an area team never sits under an organisation
    ("province", "area", None, True), ("province", "area", "province", False),
    # other kinds: a parent of their own level or higher, of any kind
    ("commune", "joint", "c1", True), ("village", "organisation", "c1", True),
    ("village", "organisation", "youth", True), ("commune", "organisation", "youth", True),
    ("province", "organisation", "province", True), ("province", "agency", "province", True),
    ("district", "agency", "district", True),
    ("commune", "organisation", "v1a", False), ("commune", "joint", "youth_branch", False),
    ("province", "organisation", None, False), ("commune", "agency", None, False),
    ("province", "agency", "c1", False),
    ("commune", "club", "c1", False),
])
def test_the_parent_rule_for_every_kind(org, client_for, level, kind, parent, ok):
    before = Team.objects.count()
    body = {"name": "Mới", "level": level, "kind": kind, "parent": getattr(org, parent).pk if parent else None}
    response = client_for(org.superuser).post(URL, body, format="json")
    assert response.status_code == (201 if ok else 400), response.content
    if ok:
        created = Team.objects.get(pk=response.json()["id"])
        assert (created.kind, created.level) == (kind, level) and response.json()["kind"] == kind
        parent_path = getattr(org, parent).path if parent else "/"
        assert created.path == f"{parent_path}{created.pk}/"
    else:
        assert set(response.json()["errors"]) & {"parent", "level", "kind"}
        assert Team.objects.count() == before


def test_kind_defaults_to_area(world, client_for):
    response = client_for(world.coord_c1).post(URL, {"name": "Buôn Buôr", "level": "village",
                                                      "parent": world.c1.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "area"


def test_the_service_and_the_database_refuse_a_parentless_organisation(world):
    with pytest.raises(ValidationError):
        services.team_create(name="Tỉnh đoàn", level=Level.PROVINCE, kind=TeamKind.ORGANISATION, parent=None,
                             actor=world.superuser)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(name="Tỉnh đoàn", level=Level.PROVINCE, kind=TeamKind.ORGANISATION)


@pytest.mark.parametrize("team,body,ok", [
    ("youth_branch", {"kind": "area"}, False),  # an area team under an organisation
    ("youth", {"kind": "joint"}, False),  # it has a child team: kind stays
    ("joint", {"kind": "agency"}, True),
    ("joint", {"parent": "v1a"}, False),  # a commune-level team under a village
    ("joint", {"parent": "district", "level": "district"}, True),
    ("v1a", {"parent": "province"}, True),  # a village straight under its province
    ("c1", {"parent": "c2"}, False),
])
def test_changes_keep_the_parent_rule(org, client_for, team, body, ok):
    body = {k: (getattr(org, v).pk if k == "parent" else v) for k, v in body.items()}
    response = client_for(org.superuser).patch(f"{URL}{getattr(org, team).pk}/", body, format="json")
    assert response.status_code == (200 if ok else 400), response.content


# Scope, filters, search ---------------------------------------------------------------------

def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_organisation_coordinator_reaches_only_its_subtree(org, client_for):
    client = client_for(org.coord_youth)
    assert _ids(client.get(URL, {"page_size": 200})) == {org.youth.pk, org.youth_branch.pk}
    members = _ids(client.get("/api/v1/members/", {"page_size": 200}))
    assert members == {org.coord_youth.pk, org.member_v1a.pk, org.youth_only.pk}
    assert client.get(f"{URL}{org.v1a.pk}/").status_code == 404
    assert client.get(f"{URL}{org.joint.pk}/").status_code == 404


def test_the_commune_coordinator_reaches_all_of_it(org, client_for):
    client = client_for(org.coord_c1)
    expected = set(Team.objects.filter(path__startswith=org.c1.path).values_list("pk", flat=True))
    assert _ids(client.get(URL, {"page_size": 200, "within": org.c1.pk})) == expected
    assert {org.youth.pk, org.youth_branch.pk, org.joint.pk} <= expected
    members = _ids(client.get("/api/v1/members/", {"page_size": 200, "within": org.c1.pk}))
    assert {org.coord_youth.pk, org.youth_only.pk, org.joint_member.pk, org.member_v1a.pk} <= members


def test_filter_by_kind_and_search_find_every_kind(org, client_for):
    client = client_for(org.coord_district)
    assert _ids(client.get(URL, {"kind": "organisation"})) == {org.youth.pk, org.youth_branch.pk}
    assert _ids(client.get(URL, {"kind": "joint"})) == {org.joint.pk}
    assert _ids(client.get(URL, {"kind": "agency"})) == set()
    assert org.v1a.pk in _ids(client.get(URL, {"kind": "area", "page_size": 200}))
    assert _ids(client.get(URL, {"search": "doan thanh nien"})) == {org.youth.pk}
    assert _ids(client.get(URL, {"search": "to lien chi"})) == {org.joint.pk}
    assert client.get(URL, {"kind": "club"}).status_code == 400


def test_the_admin_lists_and_filters_kinds(org, client):
    client.force_login(org.superuser)
    response = client.get("/admin/teams/team/", {"kind__exact": "organisation"})
    assert response.status_code == 200
    assert "Đoàn Thanh niên Tâm Thắng" in response.content.decode()
    assert "Tổ liên chi Tâm Thắng" not in response.content.decode()
    assert client.get(f"/admin/teams/team/{org.youth.pk}/change/").status_code == 200
    response = client.post("/admin/teams/team/add/", {"name": "Hội Phụ nữ", "level": "commune",
                                                       "kind": "organisation", "parent": org.c1.pk})
    assert response.status_code == 302, response.content
    assert Team.objects.get(name="Hội Phụ nữ").kind == "organisation"
    response = client.post("/admin/teams/team/add/", {"name": "Sai", "level": "village", "kind": "area",
                                                       "parent": org.youth.pk})
    assert response.status_code == 200 and not Team.objects.filter(name="Sai").exists()


# Fan-out: one assignment, through the deepest named target -------------------------------------

def test_one_assignment_for_a_person_reached_twice(org):
    task = make_task(org.c1, org.coord_c1)
    result = task_services.task_assign(task=task, actor=org.coord_c1, teams=[org.c1, org.youth])
    people = Assignment.objects.filter(task=task)
    assert people.filter(assignee=org.member_v1a).count() == 1
    # member_v1a is in Thôn 1 and in the Youth Union: the Youth Union is the deepest target holding them
    assert people.get(assignee=org.member_v1a).team_id == org.youth.pk
    assert people.get(assignee=org.youth_only).team_id == org.youth_branch.pk
    assert people.get(assignee=org.joint_member).team_id == org.joint.pk
    expected = {org.member_v1a.pk, org.member_v1a_2.pk, org.member_v1b.pk, org.youth_only.pk,
                org.joint_member.pk}
    assert set(people.values_list("assignee_id", flat=True)) == expected
    assert (result.created, result.already_assigned) == (5, 0)
    again = task_services.task_assign(task=task, actor=org.coord_c1, teams=[org.youth, org.v1a])
    assert (again.created, again.already_assigned) == (0, 3)


def test_through_the_commune_alone_the_village_wins_a_tie(org):
    task = make_task(org.c1, org.coord_c1)
    task_services.task_assign(task=task, actor=org.coord_c1, teams=[org.c1])
    # Thôn 1 and the Youth Union lie equally deep under the commune: the area team is the person's home
    assert Assignment.objects.get(task=task, assignee=org.member_v1a).team_id == org.v1a.pk


def test_two_targets_equally_deep_prefer_the_area_one(org):
    task = make_task(org.c1, org.coord_c1)
    task_services.task_assign(task=task, actor=org.coord_c1, teams=[org.youth, org.v1a])
    assert Assignment.objects.get(task=task, assignee=org.member_v1a).team_id == org.v1a.pk
    assert Assignment.objects.filter(task=task, assignee=org.member_v1a).count() == 1


def test_the_youth_union_alone_reaches_its_members_only(org):
    task = make_task(org.c1, org.coord_c1)
    result = task_services.task_assign(task=task, actor=org.coord_c1, teams=[org.youth])
    assert set(Assignment.objects.filter(task=task).values_list("assignee_id", "team_id")) == {
        (org.member_v1a.pk, org.youth.pk), (org.youth_only.pk, org.youth_branch.pk)}
    assert result.created == 2


def test_an_organisation_coordinator_assigns_and_reviews_in_its_team(org):
    task = make_task(org.youth, org.coord_youth)
    task_services.task_assign(task=task, actor=org.coord_youth, teams=[org.youth])
    a = Assignment.objects.get(task=task, assignee=org.youth_only)
    task_services.assignment_complete(assignment=a, actor=org.youth_only, evidence_url="https://x.vn/p")
    task_services.assignment_verify(assignment=a, actor=org.coord_youth)
    a.refresh_from_db()
    assert a.status == "verified"


def test_stats_and_history_count_every_kind(org, client_for):
    task = make_task(org.c1, org.coord_c1)
    task_services.task_assign(task=task, actor=org.coord_c1, teams=[org.c1, org.youth])
    client = client_for(org.coord_c1)
    c1 = client.get(f"{URL}{org.c1.pk}/stats/").json()
    youth = client.get(f"{URL}{org.youth.pk}/stats/").json()
    joint = client.get(f"{URL}{org.joint.pk}/stats/").json()
    assert c1["assignments"]["total"] == 5
    assert youth["assignments"]["total"] == 2 and joint["assignments"]["total"] == 1
    children = client.get(f"{URL}{org.c1.pk}/stats/children/").json()
    rows = children["results"] if isinstance(children, dict) and "results" in children else children
    by_team = {row["team"]["id"]: row for row in rows}
    assert {org.youth.pk, org.joint.pk, org.v1a.pk} <= set(by_team)
    history = client.get(f"{URL}{org.youth.pk}/history/").json()["results"]
    assert history  # the created team is on record
    created = client_for(org.superuser).post(URL, {"name": "Hội Cựu chiến binh", "level": "commune",
                                                   "kind": "organisation", "parent": org.c1.pk}, format="json")
    entry = client.get(f"{URL}{created.json()['id']}/history/").json()["results"][-1]
    assert entry["type"] == "created"
    assert {"field": "kind", "old": None, "new": "organisation"} in entry["changes"]
