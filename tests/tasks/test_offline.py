"""Offline work (issue 11, point 5): kind `offline` with a `unit`, `complete` with a
`quantity`, a coordinator recording it on a member's behalf, and the quantities in
every statistic and CSV equal to a hand count."""
import csv
import io
import random

import pytest

from reports import selectors as report_selectors
from tasks import services
from tasks.models import Assignment, AssignmentEvent
from tests.tasks.conftest import assignment_of, make_task


@pytest.fixture
def leaflets(world):
    task = make_task(world.c1, world.coord_c1, title="Phát tờ rơi phòng chống lừa đảo", kind="offline",
                     platform="other", unit="tờ rơi", reference_url="")
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    return task


@pytest.fixture
def online(world):
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    return task


def complete_url(assignment):
    return f"/api/v1/assignments/{assignment.pk}/complete/"


# Planning ---------------------------------------------------------------------

def test_an_offline_task_carries_its_unit_to_the_phone(world, client_for, leaflets):
    task = client_for(world.coord_c1).get(f"/api/v1/tasks/{leaflets.pk}/").json()
    assert (task["kind"], task["unit"]) == ("offline", "tờ rơi")
    rows = client_for(world.member_v1a).get("/api/v1/assignments/", {"mine": "true"}).json()["results"]
    assert [(r["task"]["kind"], r["task"]["unit"], r["quantity"]) for r in rows] == [("offline", "tờ rơi", None)]


def test_only_offline_work_has_a_unit(world, client_for):
    client = client_for(world.coord_c1)
    body = {"title": "Chia sẻ", "kind": "share", "platform": "facebook", "team": world.c1.pk, "unit": "bài"}
    response = client.post("/api/v1/tasks/", body, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"unit"}
    response = client.post("/api/v1/tasks/", {**body, "kind": "offline", "platform": "other"}, format="json")
    assert response.status_code == 201 and response.json()["unit"] == "bài"


def test_the_kind_stays_once_work_was_reported(world, client_for, leaflets):
    services.assignment_complete(assignment=assignment_of(leaflets, world.member_v1a), actor=world.member_v1a,
                                 quantity=10)
    response = client_for(world.coord_c1).patch(f"/api/v1/tasks/{leaflets.pk}/", {"kind": "share"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()["errors"]


# Completing -------------------------------------------------------------------

def test_the_assignee_completes_offline_work_with_a_quantity_and_no_link(world, client_for, leaflets):
    assignment = assignment_of(leaflets, world.member_v1a)
    response = client_for(world.member_v1a).post(complete_url(assignment), {"quantity": 120, "note": "Chợ"},
                                                 format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["quantity"], response.json()["evidence_url"]) == \
        ("completed", 120, "")


@pytest.mark.parametrize("body,field", [
    ({}, "quantity"),
    ({"quantity": -1}, "quantity"),
    ({"quantity": 1_000_001}, "quantity"),
    ({"quantity": "nhiều"}, "quantity"),
    ({"quantity": 1.5}, "quantity"),
])
def test_offline_work_needs_a_whole_quantity_in_range(world, client_for, leaflets, body, field):
    assignment = assignment_of(leaflets, world.member_v1a)
    response = client_for(world.member_v1a).post(complete_url(assignment), body, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {field}, response.content
    assert Assignment.objects.get(pk=assignment.pk).status == "assigned"


def test_the_bounds_are_allowed(world, client_for, leaflets):
    for member, quantity in ((world.member_v1a, 0), (world.member_v1a_2, 1_000_000)):
        response = client_for(member).post(complete_url(assignment_of(leaflets, member)), {"quantity": quantity},
                                           format="json")
        assert response.status_code == 200 and response.json()["quantity"] == quantity


def test_online_work_takes_no_quantity_and_still_needs_evidence(world, client_for, online):
    client = client_for(world.member_v1a)
    url = complete_url(assignment_of(online, world.member_v1a))
    response = client.post(url, {"quantity": 3, "evidence_url": "https://facebook.com/p/1"}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"quantity"}
    response = client.post(url, {"note": "xong"}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"evidence_url"}


# On someone's behalf ------------------------------------------------------------

def test_a_coordinator_records_offline_work_for_a_member_and_the_timeline_names_them(world, client_for, leaflets):
    assignment = assignment_of(leaflets, world.member_v1a)
    response = client_for(world.coord_c1).post(complete_url(assignment), {"quantity": 45, "on_behalf": True},
                                               format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["quantity"], response.json()["assignee"]) == \
        ("completed", 45, world.member_v1a.pk)
    event = AssignmentEvent.objects.filter(assignment=assignment).order_by("-id").first()
    assert (event.kind, event.actor_id) == ("completed", world.coord_c1.pk)
    timeline = client_for(world.member_v1a).get(f"/api/v1/assignments/{assignment.pk}/events/").json()["results"]
    assert (timeline[-1]["actor"], timeline[-1]["actor_name"]) == (world.coord_c1.pk, world.coord_c1.full_name)


@pytest.mark.parametrize("who,expected", [
    ("coord_v1a", 200),           # the village's coordinator
    ("coord_district", 200),      # a coordinator further up
    ("coord_c2", 404),            # the sibling commune: out of scope
    ("observer_district", 403),   # reads, never records
    ("member_v1a_2", 404),        # a teammate does not see the assignment
    ("member_v1a", 403),          # the assignee: their own work is no one's behalf
    ("superuser", 200),
])
def test_who_may_record_offline_work_on_behalf(world, client_for, leaflets, who, expected):
    assignment = assignment_of(leaflets, world.member_v1a)
    response = client_for(getattr(world, who)).post(complete_url(assignment), {"quantity": 5, "on_behalf": True},
                                                    format="json")
    assert response.status_code == expected, response.content


def test_online_work_is_never_completed_on_someone_elses_behalf(world, client_for, online):
    assignment = assignment_of(online, world.member_v1a)
    for who in ("coord_c1", "coord_district", "superuser"):
        response = client_for(getattr(world, who)).post(
            complete_url(assignment), {"evidence_url": "https://facebook.com/p/1", "on_behalf": True},
            format="json", HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    # The refusal comes before the body: an invalid body is still a 403.
    response = client_for(world.coord_c1).post(complete_url(assignment), {"on_behalf": "true", "quantity": "x"},
                                               format="json")
    assert response.status_code == 403
    assert Assignment.objects.get(pk=assignment.pk).status == "assigned"


def test_without_on_behalf_a_coordinator_cannot_complete_a_members_offline_work(world, client_for, leaflets):
    assignment = assignment_of(leaflets, world.member_v1a)
    for value in (False, "false", 0, None):
        body = {"quantity": 5} if value is None else {"quantity": 5, "on_behalf": value}
        assert client_for(world.coord_c1).post(complete_url(assignment), body, format="json").status_code == 403


def test_on_behalf_only_for_complete(world, leaflets):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.assignment_check_actor(action="decline", assignment=assignment_of(leaflets, world.member_v1a),
                                        actor=world.coord_c1, on_behalf=True)


# The sums ------------------------------------------------------------------------

@pytest.fixture
def counted(world, leaflets):
    """Quantities in every state; `expected` is the hand count of completed and verified work."""
    rng = random.Random(11)
    second = make_task(world.c1, world.coord_c1, title="Họp dân", kind="offline", platform="other", unit="buổi",
                       reference_url="")
    services.task_assign(task=second, actor=world.coord_c1, teams=[world.v1a])
    done = {}
    lan, minh, hoa = world.member_v1a, world.member_v1a_2, world.member_v1b
    q = {name: rng.randint(1, 5000) for name in ("lan", "minh", "hoa", "lan2", "minh2")}
    services.assignment_complete(assignment=assignment_of(leaflets, lan), actor=lan, quantity=q["lan"])
    services.assignment_verify(assignment=assignment_of(leaflets, lan), actor=world.coord_c1)
    services.assignment_complete(assignment=assignment_of(leaflets, minh), actor=world.coord_c1, quantity=q["minh"],
                                 on_behalf=True)
    # Rejected, then completed again with another number: only the last one counts.
    services.assignment_complete(assignment=assignment_of(leaflets, hoa), actor=hoa, quantity=999_999)
    services.assignment_reject(assignment=assignment_of(leaflets, hoa), actor=world.coord_c1, reason="Sai số")
    services.assignment_complete(assignment=assignment_of(leaflets, hoa), actor=hoa, quantity=q["hoa"])
    services.assignment_complete(assignment=assignment_of(second, lan), actor=lan, quantity=q["lan2"])
    # Rejected and left so: not counted.
    services.assignment_complete(assignment=assignment_of(second, minh), actor=minh, quantity=q["minh2"])
    services.assignment_reject(assignment=assignment_of(second, minh), actor=world.coord_c1, reason="Thiếu")
    done["c1"] = q["lan"] + q["minh"] + q["hoa"] + q["lan2"]
    done["v1a"] = q["lan"] + q["minh"] + q["lan2"]
    done["v1b"] = q["hoa"]
    done["lan"], done["minh"], done["hoa"] = q["lan"] + q["lan2"], q["minh"], q["hoa"]
    done["leaflets"] = q["lan"] + q["minh"] + q["hoa"]
    return done


def test_offline_quantities_in_stats_equal_a_hand_count(world, client_for, counted, leaflets):
    client = client_for(world.coord_district)
    stats = client.get(f"/api/v1/teams/{world.c1.pk}/stats/").json()
    assert stats["quantity"] == counted["c1"]
    assert client.get(f"/api/v1/teams/{world.district.pk}/stats/").json()["quantity"] == counted["c1"]
    assert client.get(f"/api/v1/teams/{world.c2.pk}/stats/").json()["quantity"] == 0
    assert client.get(f"/api/v1/teams/{world.c1.pk}/stats/", {"task": leaflets.pk}).json()["quantity"] == \
        counted["leaflets"]
    children = {r["team"]["id"]: r["quantity"]
                for r in client.get(f"/api/v1/teams/{world.c1.pk}/stats/children/").json()}
    assert children == {world.v1a.pk: counted["v1a"], world.v1b.pk: counted["v1b"]}
    board = {r["member"]["id"]: r["quantity"]
             for r in client.get(f"/api/v1/teams/{world.c1.pk}/stats/members/").json()["results"]}
    assert (board[world.member_v1a.pk], board[world.member_v1a_2.pk], board[world.member_v1b.pk]) == \
        (counted["lan"], counted["minh"], counted["hoa"])
    daily = client.get(f"/api/v1/teams/{world.c1.pk}/stats/daily/").json()
    assert sum(r["quantity"] for r in daily) == counted["c1"]


def test_offline_quantities_in_every_csv(world, client_for, counted):
    client = client_for(world.coord_district)

    def rows(path):
        response = client.get(f"/api/v1/teams/{world.c1.pk}/{path}", {"format": "csv"})
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert [int(r["quantity"]) for r in rows("stats/")] == [counted["c1"]]
    assert sum(int(r["quantity"]) for r in rows("stats/children/")) == counted["c1"]
    assert sum(int(r["quantity"]) for r in rows("stats/members/")) == counted["c1"]
    assert sum(int(r["quantity"]) for r in rows("stats/daily/")) == counted["c1"]


def test_campaign_stats_carry_the_quantity(world, client_for, campaign_c1):
    task = make_task(world.c1, world.coord_c1, kind="offline", platform="other", unit="tờ rơi", campaign=campaign_c1)
    services.task_assign(task=task, actor=world.coord_c1, members=[world.member_v1b])
    services.assignment_complete(assignment=assignment_of(task, world.member_v1b), actor=world.member_v1b,
                                 quantity=77)
    body = client_for(world.coord_c1).get(f"/api/v1/campaigns/{campaign_c1.pk}/stats/").json()
    assert body["quantity"] == 77


@pytest.mark.postgres
def test_the_tally_sums_quantities_like_the_live_count(world, counted):
    flt = report_selectors.StatsFilter(path=world.c1.path)
    from_tally = report_selectors.tally_counts(flt)
    live = Assignment.objects.filter(flt.q()).aggregate(**report_selectors.status_aggregates())
    assert from_tally["quantity"] == live["quantity"] == counted["c1"]
    # A change of team moves the quantity with it.
    Assignment.objects.filter(team=world.v1b).update(team=world.v1a)
    flt = report_selectors.StatsFilter(path=world.v1a.path)
    assert report_selectors.tally_counts(flt)["quantity"] == counted["c1"]
