"""Who may do what: every task, campaign and assignment endpoint and action, as
every role of the world, on the Tâm Thắng commune's objects (Nam Dong is the
sibling subtree: its coordinator must not even learn they exist).

404 = out of the caller's scope, 403 = visible (or a role that can never do it)
but forbidden, 401 = anonymous.
"""
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tasks import services
from tasks.models import Campaign, Task

from .conftest import assignment_of, make_task

ROLES = ["superuser", "coord_district", "observer_district", "coord_c1", "coord_c2", "coord_v1a",
         "member_v1a", "member_v1a_2", "member_v2a", "coord_other_district", "outsider", "anonymous"]


def _client(world, client_for, role):
    return client_for(None if role == "anonymous" else getattr(world, role))


def _table(**codes):
    assert set(codes) == set(ROLES), set(ROLES) ^ set(codes)
    return [pytest.param(role, codes[role], id=role) for role in ROLES]


def _task_body(world):
    return {"title": "Việc mới", "kind": "post", "platform": "zalo", "team": world.c1.pk,
            "due_at": (timezone.now() + timedelta(days=1)).isoformat()}


# Tasks ------------------------------------------------------------------------

@pytest.mark.parametrize("role,code", _table(
    superuser=200, coord_district=200, observer_district=200, coord_c1=200, coord_c2=404, coord_v1a=404,
    member_v1a=200, member_v1a_2=200, member_v2a=404, coord_other_district=404, outsider=404, anonymous=401,
))
def test_task_detail(world, client_for, task_c1, role, code):
    assert _client(world, client_for, role).get(f"/api/v1/tasks/{task_c1.pk}/").status_code == code


@pytest.mark.parametrize("role,code", _table(
    superuser=200, coord_district=200, observer_district=403, coord_c1=200, coord_c2=404, coord_v1a=404,
    member_v1a=403, member_v1a_2=403, member_v2a=403, coord_other_district=404, outsider=403, anonymous=401,
))
def test_task_patch(world, client_for, task_c1, role, code):
    response = _client(world, client_for, role).patch(f"/api/v1/tasks/{task_c1.pk}/", {"title": "Đổi tên"},
                                                      format="json")
    assert response.status_code == code, response.content
    task_c1.refresh_from_db()
    assert (task_c1.title == "Đổi tên") == (code == 200)


@pytest.mark.parametrize("role,code", _table(
    superuser=200, coord_district=200, observer_district=403, coord_c1=200, coord_c2=404, coord_v1a=404,
    member_v1a=403, member_v1a_2=403, member_v2a=403, coord_other_district=404, outsider=403, anonymous=401,
))
def test_task_assign(world, client_for, task_c1, role, code):
    response = _client(world, client_for, role).post(
        f"/api/v1/tasks/{task_c1.pk}/assign/", {"members": [world.coord_v1a.pk]}, format="json")
    assert response.status_code == code, response.content
    assert task_c1.assignments.filter(assignee=world.coord_v1a).exists() == (code == 200)


@pytest.mark.parametrize("role,code", _table(
    superuser=200, coord_district=200, observer_district=403, coord_c1=200, coord_c2=404, coord_v1a=404,
    member_v1a=403, member_v1a_2=403, member_v2a=403, coord_other_district=404, outsider=403, anonymous=401,
))
def test_task_cancel(world, client_for, task_c1, role, code):
    response = _client(world, client_for, role).post(f"/api/v1/tasks/{task_c1.pk}/cancel/")
    assert response.status_code == code, response.content
    task_c1.refresh_from_db()
    assert (task_c1.status == "cancelled") == (code == 200)


@pytest.mark.parametrize("role,code", _table(
    # A team outside the caller's reach is a bad `team` (400); a role that can never plan is 403 first.
    superuser=201, coord_district=201, observer_district=403, coord_c1=201, coord_c2=400, coord_v1a=400,
    member_v1a=403, member_v1a_2=403, member_v2a=403, coord_other_district=400, outsider=403, anonymous=401,
))
def test_task_create(world, client_for, role, code):
    before = set(Task.objects.values_list("pk", flat=True))
    response = _client(world, client_for, role).post("/api/v1/tasks/", _task_body(world), format="json")
    assert response.status_code == code, response.content
    made = Task.objects.exclude(pk__in=before)
    if code == 201:  # exactly one task, the caller's, in the body's team, as the answer shows it
        task = made.get()
        assert (task.team_id, task.created_by_id, task.status) == (world.c1.pk, getattr(world, role).pk, "open")
        assert response.json()["id"] == task.pk and response.json()["team"] == world.c1.pk
    else:
        assert not made.exists()
    if code == 400:
        assert "team" in response.json()["errors"]


def test_member_creating_a_task_is_403_whatever_the_body(world, client_for):
    response = client_for(world.member_v1a).post("/api/v1/tasks/", {"kind": "bogus"}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("role,expected", [
    ("superuser", {"c1", "c2"}), ("coord_district", {"c1", "c2"}), ("observer_district", {"c1", "c2"}),
    ("coord_c1", {"c1"}), ("coord_c2", {"c2"}), ("coord_v1a", set()), ("member_v1a", {"c1"}),
    ("member_v2a", {"c2"}), ("coord_other_district", set()), ("outsider", set()),
])
def test_task_list_scope(world, client_for, task_c1, task_c2, role, expected):
    names = {task_c1.pk: "c1", task_c2.pk: "c2"}
    results = _client(world, client_for, role).get("/api/v1/tasks/").json()["results"]
    assert {names[t["id"]] for t in results} == expected


# Campaigns --------------------------------------------------------------------

@pytest.mark.parametrize("role,code", _table(
    # People see the campaigns of their own teams and the teams above them.
    superuser=200, coord_district=200, observer_district=200, coord_c1=200, coord_c2=404, coord_v1a=200,
    member_v1a=200, member_v1a_2=200, member_v2a=404, coord_other_district=404, outsider=404, anonymous=401,
))
def test_campaign_detail(world, client_for, campaign_c1, role, code):
    assert _client(world, client_for, role).get(f"/api/v1/campaigns/{campaign_c1.pk}/").status_code == code


@pytest.mark.parametrize("role,code", _table(
    superuser=200, coord_district=200, observer_district=403, coord_c1=200, coord_c2=404, coord_v1a=403,
    member_v1a=403, member_v1a_2=403, member_v2a=403, coord_other_district=404, outsider=403, anonymous=401,
))
def test_campaign_patch(world, client_for, campaign_c1, role, code):
    response = _client(world, client_for, role).patch(f"/api/v1/campaigns/{campaign_c1.pk}/",
                                                      {"name": "Tên mới"}, format="json")
    assert response.status_code == code, response.content
    campaign_c1.refresh_from_db()
    assert (campaign_c1.name == "Tên mới") == (code == 200)


@pytest.mark.parametrize("role,code", _table(
    superuser=201, coord_district=201, observer_district=403, coord_c1=201, coord_c2=400, coord_v1a=400,
    member_v1a=403, member_v1a_2=403, member_v2a=403, coord_other_district=400, outsider=403, anonymous=401,
))
def test_campaign_create(world, client_for, role, code):
    before = set(Campaign.objects.values_list("pk", flat=True))
    response = _client(world, client_for, role).post("/api/v1/campaigns/", {"name": "Mới", "team": world.c1.pk},
                                                     format="json")
    assert response.status_code == code, response.content
    made = Campaign.objects.exclude(pk__in=before)
    if code == 201:
        campaign = made.get()
        assert (campaign.name, campaign.team_id, campaign.created_by_id) == ("Mới", world.c1.pk, getattr(world, role).pk)
        assert response.json()["id"] == campaign.pk
    else:
        assert not made.exists()


@pytest.mark.parametrize("role,expected", [
    ("coord_district", {"c1", "c2"}), ("coord_c1", {"c1"}), ("coord_c2", {"c2"}), ("member_v1a", {"c1"}),
    ("member_v2a", {"c2"}), ("coord_other_district", set()), ("outsider", set()),
])
def test_campaign_list_scope(world, client_for, campaign_c1, campaign_c2, role, expected):
    names = {campaign_c1.pk: "c1", campaign_c2.pk: "c2"}
    results = _client(world, client_for, role).get("/api/v1/campaigns/").json()["results"]
    assert {names[c["id"]] for c in results} == expected


def test_a_member_who_moved_still_sees_the_campaign_behind_their_work(world, client_for, task_c1, campaign_c1):
    """Campaigns reach past one's teams only through one's own work: someone moved from
    Thôn 1 (Tâm Thắng) to Thôn 4 (Nam Dong) keeps their Tâm Thắng assignment, so its
    campaign, but no other campaign of Tâm Thắng."""
    other_c1 = Campaign.objects.create(name="Chiến dịch khác", team=world.c1, created_by=world.coord_c1)
    district = client_for(world.coord_district)
    old = world.member_v1a.memberships.get(team=world.v1a)
    assert district.post("/api/v1/memberships/", {"member": world.member_v1a.pk, "team": world.v2a.pk,
                                                   "role": "member"}, format="json").status_code == 201
    assert district.delete(f"/api/v1/memberships/{old.pk}/").status_code == 204
    moved = client_for(world.member_v1a)
    assert moved.get(f"/api/v1/tasks/{task_c1.pk}/").status_code == 200
    assert moved.get(f"/api/v1/campaigns/{campaign_c1.pk}/").status_code == 200
    assert moved.get(f"/api/v1/campaigns/{other_c1.pk}/").status_code == 404
    assert {c["id"] for c in moved.get("/api/v1/campaigns/").json()["results"]} == {campaign_c1.pk}
    # Someone of Nam Dong who never worked under it does not see it.
    assert client_for(world.member_v2a).get(f"/api/v1/campaigns/{campaign_c1.pk}/").status_code == 404



def test_work_not_yet_published_shows_its_assignee_neither_its_task_nor_its_campaign(world, client_for, campaign_c1):
    """Someone of Thôn 1 given a Tâm Thắng task published in three hours, who then moves to
    Thôn 4 (Nam Dong): until `publish_at` the task and the campaign it is filed under are no more
    theirs to see than anything else of Tâm Thắng (404, not listed); from then on both are, through
    their own work (tasks/publication.py)."""
    from teams.models import Membership

    now = timezone.now()
    task = make_task(world.c1, world.coord_c1, campaign=campaign_c1, publish_at=now + timedelta(hours=3),
                     due_at=now + timedelta(days=2))
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    Membership.objects.create(member=world.member_v1a, team=world.v2a, role="member")
    Membership.objects.filter(member=world.member_v1a, team=world.v1a).delete()
    member = client_for(world.member_v1a)

    def seen():
        return (member.get(f"/api/v1/tasks/{task.pk}/").status_code,
                {t["id"] for t in member.get("/api/v1/tasks/").json()["results"]},
                member.get(f"/api/v1/campaigns/{campaign_c1.pk}/").status_code,
                {c["id"] for c in member.get("/api/v1/campaigns/").json()["results"]})

    assert seen() == (404, set(), 404, set())
    with time_machine.travel(task.publish_at + timedelta(minutes=1)):
        assert seen() == (200, {task.pk}, 200, {campaign_c1.pk})

# Assignments ------------------------------------------------------------------

@pytest.mark.parametrize("role,code", _table(
    superuser=200, coord_district=200, observer_district=200, coord_c1=200, coord_c2=404, coord_v1a=200,
    member_v1a=200, member_v1a_2=404, member_v2a=404, coord_other_district=404, outsider=404, anonymous=401,
))
@pytest.mark.parametrize("suffix", ["", "events/"])
def test_assignment_detail_and_events(world, client_for, task_c1, role, code, suffix):
    a = assignment_of(task_c1, world.member_v1a)
    assert _client(world, client_for, role).get(f"/api/v1/assignments/{a.pk}/{suffix}").status_code == code


OWN_STEP = _table(
    superuser=403, coord_district=403, observer_district=403, coord_c1=403, coord_c2=404, coord_v1a=403,
    member_v1a=200, member_v1a_2=404, member_v2a=404, coord_other_district=404, outsider=404, anonymous=401,
)


@pytest.mark.parametrize("role,code", OWN_STEP)
@pytest.mark.parametrize("step,body", [
    ("start", {}),
    ("complete", {"evidence_url": "https://facebook.com/p/1"}),
    ("decline", {"reason": "Bận"}),
])
def test_assignee_steps(world, client_for, task_c1, role, code, step, body):
    a = assignment_of(task_c1, world.member_v1a)
    response = _client(world, client_for, role).post(f"/api/v1/assignments/{a.pk}/{step}/", body, format="json")
    assert response.status_code == code, response.content
    a.refresh_from_db()
    assert (a.status != "assigned") == (code == 200)


REVIEW = _table(
    # member_v1a: their own work; member_v1a_2: a role that never reviews (403 before the lookup).
    superuser=200, coord_district=200, observer_district=403, coord_c1=200, coord_c2=404, coord_v1a=200,
    member_v1a=403, member_v1a_2=403, member_v2a=403, coord_other_district=404, outsider=403, anonymous=401,
)


@pytest.mark.parametrize("role,code", REVIEW)
@pytest.mark.parametrize("step,body", [("verify", {"note": "Tốt"}), ("reject", {"reason": "Sai bài"})])
def test_review_steps(world, client_for, task_c1, role, code, step, body):
    a = assignment_of(task_c1, world.member_v1a)
    services.assignment_complete(assignment=a, actor=world.member_v1a, evidence_url="https://x.vn/1")
    response = _client(world, client_for, role).post(f"/api/v1/assignments/{a.pk}/{step}/", body, format="json")
    assert response.status_code == code, response.content
    a.refresh_from_db()
    assert (a.status != "completed") == (code == 200)


def test_nobody_reviews_their_own_work(world, client_for, task_c1):
    services.task_assign(task=task_c1, actor=world.coord_c1, members=[world.coord_v1a])
    a = assignment_of(task_c1, world.coord_v1a)
    assert a.team_id == world.v1a.pk
    own = client_for(world.coord_v1a)
    assert own.post(f"/api/v1/assignments/{a.pk}/complete/", {"evidence_url": "https://x.vn/2"},
                    format="json").status_code == 200
    response = own.post(f"/api/v1/assignments/{a.pk}/verify/")
    assert response.status_code == 403
    assert client_for(world.coord_c1).post(f"/api/v1/assignments/{a.pk}/verify/").status_code == 200


def test_ones_own_work_is_not_in_ones_review_queue(world, client_for, task_c1):
    """The village coordinator assigned to the task completes it: their review queue (the
    console's) holds their member's work but not their own; the commune coordinator's holds both."""
    services.task_assign(task=task_c1, actor=world.coord_c1, members=[world.coord_v1a])
    own = assignment_of(task_c1, world.coord_v1a)
    theirs = assignment_of(task_c1, world.member_v1a)
    for a in (own, theirs):
        services.assignment_complete(assignment=a, actor=a.assignee, evidence_url="https://x.vn/4")

    def queue(who):
        browser = Client()
        browser.force_login(who)
        page = browser.get("/console/review/").content.decode()
        return {a.pk for a in (own, theirs) if f'id="pick-{a.pk}"' in page}

    assert queue(world.coord_v1a) == {theirs.pk}
    assert queue(world.coord_c1) == {own.pk, theirs.pk}
    # Nor do they verify it or send it back.
    api = client_for(world.coord_v1a)
    assert api.post(f"/api/v1/assignments/{own.pk}/verify/").status_code == 403
    assert api.post(f"/api/v1/assignments/{own.pk}/reject/", {"reason": "Sai"}, format="json").status_code == 403
    own.refresh_from_db()
    assert own.status == "completed"


def test_reviewer_below_the_assignments_team_may_not_review(world, client_for, task_c1):
    """A direct assignment to the commune coordinator's teammate reaches them through the
    commune, so a village coordinator (below it) cannot review it."""
    from tests.factories import MembershipFactory

    MembershipFactory(member=world.member_v1b, team=world.c1, role="coordinator")
    task = task_c1
    services.task_assign(task=task, actor=world.coord_district, members=[world.coord_c1])
    a = assignment_of(task, world.coord_c1)
    assert a.team_id == world.c1.pk
    services.assignment_complete(assignment=a, actor=world.coord_c1, evidence_url="https://x.vn/3")
    assert client_for(world.coord_v1a).post(f"/api/v1/assignments/{a.pk}/verify/").status_code == 404
    assert client_for(world.member_v1b).post(f"/api/v1/assignments/{a.pk}/verify/").status_code == 200


@pytest.mark.parametrize("role,expected", [
    ("coord_district", {"member_v1a", "member_v1a_2", "member_v1b", "member_v2a"}),
    ("observer_district", {"member_v1a", "member_v1a_2", "member_v1b", "member_v2a"}),
    ("coord_c1", {"member_v1a", "member_v1a_2", "member_v1b"}),
    ("coord_c2", {"member_v2a"}),
    ("coord_v1a", {"member_v1a", "member_v1a_2"}),
    ("member_v1a", {"member_v1a"}),
    ("member_v2a", {"member_v2a"}),
    ("coord_other_district", set()),
    ("outsider", set()),
])
def test_assignment_list_scope(world, client_for, task_c1, task_c2, role, expected):
    names = {getattr(world, n).pk: n for n in ["member_v1a", "member_v1a_2", "member_v1b", "member_v2a"]}
    results = _client(world, client_for, role).get("/api/v1/assignments/").json()["results"]
    assert {names[a["assignee"]] for a in results} == expected


@pytest.mark.parametrize("path", ["/api/v1/tasks/", "/api/v1/assignments/", "/api/v1/campaigns/"])
def test_lists_need_a_login(client_for, db, path):
    assert client_for(None).get(path).status_code == 401
