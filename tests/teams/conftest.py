"""Helpers for the teams and auth tests: a role table and a fast password hasher."""
import pytest
from django.db import transaction

from tests.factories import TeamFactory
from teams.choices import Level

# The roles every permission matrix walks, as seen from commune c1 ("Tâm Thắng"):
# the column order of every matrix table.
ROLES = {
    "anonymous": None,
    "member": "member_v1a",  # plain member in a village of c1
    "observer": "observer_district",  # reads the district above c1
    "coord_team": "coord_c1",  # coordinates c1 itself
    "coord_sibling": "coord_c2",  # coordinates the sibling commune
    "coord_above": "coord_district",  # coordinates the district above
    "coord_below": "coord_v1a",  # coordinates a village below c1
    "superuser": "superuser",
}


@pytest.fixture
def empty_village(world):
    """A village under c1 with nobody in it: the one team that can be deleted."""
    return TeamFactory(name="Thôn Trống", level=Level.VILLAGE, parent=world.c1)


def run_matrix(world, client_for, build_request, expected_row):
    """Send one request per role, each inside a savepoint that is rolled back,
    and return {role: status}. `build_request(world)` -> (method, url, body)."""
    actual = {}
    for role, attr in ROLES.items():
        member = getattr(world, attr) if attr else None
        method, url, body = build_request(world)
        with transaction.atomic():
            client = client_for(member)
            response = getattr(client, method)(url, body, format="json") if body is not None \
                else getattr(client, method)(url)
            actual[role] = response.status_code
            if response.status_code >= 400:
                assert set(response.json()) >= {"status", "code", "detail"}, response.content
            transaction.set_rollback(True)
    expected = dict(zip(ROLES, expected_row))
    assert actual == expected
