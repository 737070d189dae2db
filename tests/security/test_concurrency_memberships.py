"""Concurrent membership changes on PostgreSQL, through the API with real threads:
one membership per (member, team), one member per phone, a person never left without
a role; the loser of each race gets a 4xx, never a 500.

(Concurrent assigns of one team, and concurrent verify/reject, are in
tests/tasks/test_concurrency.py.)
"""
import json
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from teams.choices import Role
from teams.models import Member, Membership
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls):
    """Send the requests at the same moment, each from its own thread and connection.
    `calls` are (member, method, url, body); returns the responses in that order."""
    barrier = threading.Barrier(len(calls))
    responses = [None] * len(calls)

    def run(i, member, method, url, body):
        client = APIClient()
        client.force_authenticate(user=member)
        try:
            barrier.wait()
            kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
            responses[i] = getattr(client, method)(url, **kwargs)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return responses


def _codes(responses):
    return sorted(r.status_code for r in responses)


@pytest.mark.postgres
@pytest.mark.parametrize("round_", range(3))
def test_granting_the_same_role_twice_at_once_keeps_one_membership(world, round_):
    body = {"member": world.member_v1b.pk, "team": world.v1a.pk, "role": Role.OBSERVER}
    responses = _race(
        (world.coord_c1, "post", "/api/v1/memberships/", body),
        (world.coord_district, "post", "/api/v1/memberships/", {**body, "role": Role.MEMBER}),
    )
    assert _codes(responses) == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400)
    assert "team" in loser.json()["errors"]
    assert Membership.objects.filter(member=world.member_v1b, team=world.v1a).count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize("round_", range(3))
def test_registering_the_same_phone_twice_at_once_keeps_one_member(world, round_):
    body = {"phone": "0912000555", "full_name": "Người Mới", "password": "river-lantern-42-moss",
            "role": Role.MEMBER}
    responses = _race(
        (world.coord_c1, "post", "/api/v1/members/", {**body, "team": world.v1a.pk}),
        (world.coord_district, "post", "/api/v1/members/", {**body, "team": world.v2a.pk}),
    )
    assert _codes(responses) == [201, 400], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 400)
    assert "phone" in loser.json()["errors"]
    member = Member.objects.get(phone="+84912000555")
    assert Membership.objects.filter(member=member).count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize("round_", range(3))
def test_removing_both_roles_of_a_person_at_once_leaves_one(world, round_):
    second = MembershipFactory(member=world.member_v1a, team=world.v1b, role=Role.OBSERVER)
    first = Membership.objects.get(member=world.member_v1a, team=world.v1a)
    responses = _race(
        (world.coord_c1, "delete", f"/api/v1/memberships/{first.pk}/", None),
        (world.coord_district, "delete", f"/api/v1/memberships/{second.pk}/", None),
    )
    assert _codes(responses) == [204, 409], [r.content for r in responses]
    assert Membership.objects.filter(member=world.member_v1a).count() == 1


@pytest.mark.postgres
def test_a_role_change_racing_a_removal_never_leaves_two_or_none(world):
    second = MembershipFactory(member=world.member_v1a, team=world.v1b, role=Role.OBSERVER)
    first = Membership.objects.get(member=world.member_v1a, team=world.v1a)
    responses = _race(
        (world.coord_c1, "patch", f"/api/v1/memberships/{first.pk}/", {"role": Role.COORDINATOR}),
        (world.coord_district, "delete", f"/api/v1/memberships/{second.pk}/", None),
    )
    assert _codes(responses) == [200, 204], [r.content for r in responses]
    assert list(Membership.objects.filter(member=world.member_v1a).values_list("team_id", "role")) == [
        (world.v1a.pk, Role.COORDINATOR)]


def test_a_duplicate_in_sequence_gets_the_same_answer_as_the_loser_of_a_race(world, client_for):
    body = {"member": world.member_v1b.pk, "team": world.v1a.pk, "role": Role.OBSERVER}
    assert client_for(world.coord_c1).post("/api/v1/memberships/", body, format="json").status_code == 201
    response = client_for(world.coord_c1).post("/api/v1/memberships/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["team"]
