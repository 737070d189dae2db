"""Assign resolves every id of its body in a constant number of queries."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teams.choices import Role
from tests.factories import MemberFactory, MembershipFactory, TeamFactory

from .conftest import make_task


def _queries_to_assign(world, client_for, n):
    task = make_task(world.c1, world.coord_c1, title=f"Việc {n}")
    people = [MemberFactory(full_name=f"Người {n}-{i}") for i in range(n)]
    for person in people:
        MembershipFactory(member=person, team=world.v1b, role=Role.MEMBER)
    villages = [TeamFactory(name=f"Thôn {n}-{i}", level="village", parent=world.c1) for i in range(n)]
    client = client_for(world.coord_c1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/api/v1/tasks/{task.pk}/assign/",
                               {"members": [p.pk for p in people], "teams": [v.pk for v in villages]},
                               format="json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == n
    return len(ctx.captured_queries)


def test_assign_costs_the_same_for_1_and_20_ids(world, client_for):
    one = _queries_to_assign(world, client_for, 1)
    twenty = _queries_to_assign(world, client_for, 20)
    assert one == twenty, f"1 id of each kind: {one} queries; 20 of each: {twenty}"
