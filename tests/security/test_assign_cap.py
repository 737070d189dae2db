"""OWASP API4: one assign call names at most MAX_ASSIGN_TARGETS teams and members together.

Beyond the cap the answer is a 400 that says to assign teams instead, given before any
id is looked up (so an oversized body costs a few queries, not one per id)."""
import pytest
from django.contrib.auth.hashers import make_password

from tasks.models import Assignment
from tasks.serializers import MAX_ASSIGN_TARGETS
from teams.choices import Role
from teams.models import Member, Membership
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(world):
    return TaskFactory(team=world.c1, created_by=world.coord_c1)


def _assign(client, task, body):
    return client.post(f"/api/v1/tasks/{task.pk}/assign/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("teams,members", [(0, 501), (501, 0), (300, 201), (5000, 5000)])
def test_more_targets_than_the_cap_is_a_400_that_says_to_use_teams(
        world, client_for, task, django_assert_max_num_queries, teams, members):
    body = {"teams": [world.v1a.pk] * teams, "members": list(range(1, members + 1))}
    with django_assert_max_num_queries(12):  # the caller's scope and the task; no id is resolved
        response = _assign(client_for(world.coord_c1), task, body)
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["errors"]["non_field_errors"])
    assert "team" in message and str(MAX_ASSIGN_TARGETS) in message and str(teams + members) in message
    assert not Assignment.objects.exists()


def test_exactly_the_cap_of_five_hundred_is_assigned_and_one_more_is_refused(world, client_for, task):
    people = Member.objects.bulk_create([
        Member(phone=f"+8493{n:07d}", full_name=f"Người {n}", password=make_password(None))
        for n in range(500)  # the contract's number, written out: changing the cap must fail here
    ])
    Membership.objects.bulk_create([Membership(member=p, team=world.v1a, role=Role.MEMBER) for p in people])
    client = client_for(world.coord_c1)
    one_too_many = {"teams": [world.v1b.pk], "members": [p.pk for p in people]}
    assert _assign(client, task, one_too_many).status_code == 400
    assert not Assignment.objects.exists()
    body = {"teams": [world.v1b.pk], "members": [p.pk for p in people[:499]]}
    response = _assign(client, task, body)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 499 + 1  # the people, and member_v1b via v1b
    assert Assignment.objects.filter(task=task).count() == 500


def test_the_schema_documents_the_cap(client):
    schema = client.get("/api/schema/?format=json").json()
    body = schema["components"]["schemas"]["TaskAssignRequest"]["properties"]
    assert body["teams"]["maxItems"] == MAX_ASSIGN_TARGETS
    assert body["members"]["maxItems"] == MAX_ASSIGN_TARGETS
    assert str(MAX_ASSIGN_TARGETS) in body["members"]["description"]
