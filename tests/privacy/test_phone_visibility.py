"""Phones are read only by the person, and by coordinators and observers whose
subtree holds them; teammates (plain members of the same team) see names."""
import pytest

from teams.models import Member

MEMBERS = "/api/v1/members/"


def _listed(client):
    response = client.get(MEMBERS, {"page_size": 200})
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def test_a_member_sees_active_teammates_by_name_and_no_phone(world, client_for):
    rows = _listed(client_for(world.member_v1a))
    assert set(rows) == {world.member_v1a.pk, world.member_v1a_2.pk, world.coord_v1a.pk}
    assert rows[world.member_v1a.pk]["phone"] == world.member_v1a.phone  # their own
    for teammate in (world.member_v1a_2, world.coord_v1a):
        assert rows[teammate.pk]["full_name"] == teammate.full_name
        assert rows[teammate.pk]["phone"] is None
    # the teammate's role in the shared team is shown; nothing of other teams
    assert [(m["team"]["id"], m["role"]) for m in rows[world.coord_v1a.pk]["memberships"]] == [
        (world.v1a.pk, "coordinator")]
    assert world.member_v1a_2.phone.encode() not in client_for(world.member_v1a).get(
        MEMBERS, {"page_size": 200}).content


def test_teammate_detail_has_no_phone_and_other_villages_stay_hidden(world, client_for):
    client = client_for(world.member_v1a)
    detail = client.get(f"{MEMBERS}{world.member_v1a_2.pk}/")
    assert detail.status_code == 200
    assert detail.json()["phone"] is None and detail.json()["full_name"] == world.member_v1a_2.full_name
    assert client.get(f"{MEMBERS}{world.member_v1b.pk}/").status_code == 404  # another village of c1
    assert client.get(f"{MEMBERS}{world.inactive_v1a.pk}/").status_code == 404  # left: not a teammate
    assert client.get(f"{MEMBERS}{world.coord_c1.pk}/").status_code == 404  # coordinates above, not beside


def test_teammates_cannot_search_or_filter_their_way_to_a_phone(world, client_for):
    client = client_for(world.member_v1a)
    for params in ({"search": world.member_v1a_2.full_name}, {"team": world.v1a.pk}, {"ordering": "-id"}):
        for row in client.get(MEMBERS, params).json()["results"]:
            if row["id"] != world.member_v1a.pk:
                assert row["phone"] is None


@pytest.mark.parametrize("who", ["coord_c1", "coord_v1a", "observer_district", "coord_district", "superuser"])
def test_coordinators_and_observers_read_the_phones_of_their_subtree(world, client_for, who):
    rows = _listed(client_for(getattr(world, who)))
    assert rows[world.member_v1a_2.pk]["phone"] == world.member_v1a_2.phone
    for row in rows.values():
        assert row["phone"] == Member.objects.get(pk=row["id"]).phone


def test_a_coordinator_who_is_also_a_plain_member_elsewhere_reads_only_its_subtrees_phones(world, client_for):
    from tests.factories import MembershipFactory

    # coord_v2a coordinates the sibling village and works as a plain member in v1a.
    MembershipFactory(member=world.coord_c2, team=world.v1a, role="member")
    rows = _listed(client_for(world.coord_c2))
    assert rows[world.member_v2a.pk]["phone"] == world.member_v2a.phone  # its subtree
    assert rows[world.member_v1a.pk]["phone"] is None  # a teammate in v1a
    assert world.member_v1b.pk not in rows


def test_teammates_are_not_targets_for_granting_roles(world, client_for):
    """Body ids that act on a person resolve through the full-read scope, not through teammates."""
    from tests.factories import MembershipFactory

    MembershipFactory(member=world.coord_c2, team=world.v1a, role="member")
    response = client_for(world.coord_c2).post("/api/v1/memberships/", {
        "member": world.member_v1a_2.pk, "team": world.v2a.pk, "role": "member"}, format="json")
    assert response.status_code == 400
    assert "member" in response.json()["errors"]


def test_me_always_shows_the_callers_own_phone(world, client_for):
    assert client_for(world.member_v1a).get("/api/v1/me/").json()["phone"] == world.member_v1a.phone


@pytest.mark.parametrize("who", ["member_v1a", "coord_c1", "superuser"])
def test_member_list_query_count_is_the_same_at_any_page_size(world, client_for, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MemberFactory, MembershipFactory

    for i in range(30):
        MembershipFactory(member=MemberFactory(full_name=f"Đồng đội {i}"), team=world.v1a, role="member")
    client = client_for(getattr(world, who))
    counts = {}
    for size in (1, 100):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(MEMBERS, {"page_size": size}).status_code == 200
        counts[size] = len(ctx.captured_queries)
    assert counts[1] == counts[100] <= 4, counts


def test_the_schema_says_phone_can_be_null():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    phone = schema["components"]["schemas"]["Member"]["properties"]["phone"]
    assert phone.get("nullable") is True
