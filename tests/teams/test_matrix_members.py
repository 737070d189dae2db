"""Who may do what on /api/v1/members/ and /api/v1/memberships/ (columns: see ROLES)."""
import itertools

import pytest

from teams.models import Member, Membership

from .conftest import ROLES, run_matrix

MEMBERS = "/api/v1/members/"
MEMBERSHIPS = "/api/v1/memberships/"
_phones = itertools.count(1)


def _new_person(w):
    return {"phone": f"0987{next(_phones):06d}", "full_name": "Người Mới", "password": "a-long-Pass-2026!",
            "team": w.v1b.pk, "role": "member"}


MEMBER_REQUESTS = {
    "list": lambda w: ("get", MEMBERS, None),
    "retrieve": lambda w: ("get", f"{MEMBERS}{w.member_v1b.pk}/", None),
    "create": lambda w: ("post", MEMBERS, _new_person(w)),
    "update": lambda w: ("patch", f"{MEMBERS}{w.member_v1b.pk}/", {"full_name": "Đỗ Thị Hoa Mới"}),
    "deactivate": lambda w: ("patch", f"{MEMBERS}{w.member_v1b.pk}/", {"is_active": False}),
    "delete": lambda w: ("delete", f"{MEMBERS}{w.member_v1b.pk}/", None),
    "retrieve_sibling": lambda w: ("get", f"{MEMBERS}{w.member_v2a.pk}/", None),
    "update_sibling": lambda w: ("patch", f"{MEMBERS}{w.member_v2a.pk}/", {"full_name": "x"}),
    "create_in_sibling": lambda w: ("post", MEMBERS, {**_new_person(w), "team": w.v2a.pk}),
    # a coordinator of c1 may not change someone who coordinates above it
    "update_coord_above": lambda w: ("patch", f"{MEMBERS}{w.coord_district.pk}/", {"full_name": "x"}),
}

# action              anonymous member observer coord_team coord_sibling coord_above coord_below superuser
MEMBER_MATRIX = [
    ("list",               401, 200, 200, 200, 200, 200, 200, 200),
    ("retrieve",           401, 404, 200, 200, 404, 200, 404, 200),
    ("create",             401, 403, 403, 201, 400, 201, 400, 201),
    ("update",             401, 403, 403, 200, 404, 200, 404, 200),
    ("deactivate",         401, 403, 403, 200, 404, 200, 404, 200),
    ("delete",             401, 405, 405, 405, 405, 405, 405, 405),
    ("retrieve_sibling",   401, 404, 200, 404, 200, 200, 404, 200),
    ("update_sibling",     401, 403, 403, 404, 200, 200, 404, 200),
    ("create_in_sibling",  401, 403, 403, 400, 201, 201, 400, 201),
    ("update_coord_above", 401, 403, 403, 404, 404, 403, 404, 200),
]


@pytest.mark.parametrize("action,expected", [(r[0], r[1:]) for r in MEMBER_MATRIX], ids=[r[0] for r in MEMBER_MATRIX])
def test_member_permission_matrix(world, client_for, action, expected):
    run_matrix(world, client_for, MEMBER_REQUESTS[action], expected)


def _membership(w, member, team):
    return Membership.objects.get(member=member, team=team)


MEMBERSHIP_REQUESTS = {
    "list": lambda w: ("get", MEMBERSHIPS, None),
    "retrieve": lambda w: ("get", f"{MEMBERSHIPS}{_membership(w, w.member_v1b, w.v1b).pk}/", None),
    "create": lambda w: ("post", MEMBERSHIPS, {"member": w.member_v1b.pk, "team": w.c1.pk, "role": "observer"}),
    "update": lambda w: ("patch", f"{MEMBERSHIPS}{_membership(w, w.member_v1b, w.v1b).pk}/", {"role": "observer"}),
    "delete": lambda w: ("delete", f"{MEMBERSHIPS}{_membership(w, w.coord_v1a, w.v1a).pk}/", None),
    "retrieve_sibling": lambda w: ("get", f"{MEMBERSHIPS}{_membership(w, w.member_v2a, w.v2a).pk}/", None),
    "update_sibling": lambda w: ("patch", f"{MEMBERSHIPS}{_membership(w, w.member_v2a, w.v2a).pk}/",
                                 {"role": "observer"}),
    "delete_sibling": lambda w: ("delete", f"{MEMBERSHIPS}{_membership(w, w.member_v2a, w.v2a).pk}/", None),
    "create_in_sibling": lambda w: ("post", MEMBERSHIPS, {"member": w.member_v2a.pk, "team": w.c2.pk,
                                                          "role": "observer"}),
    # granting a role above c1 to someone of c1
    "create_above": lambda w: ("post", MEMBERSHIPS, {"member": w.member_v1b.pk, "team": w.district.pk,
                                                     "role": "coordinator"}),
}

# coord_v1a holds a second membership (member of v1b) so "delete" removes a role, not a person.
# That makes member_v1b their teammate in v1b: the roster row is visible to them (200) but
# not theirs to change (403).
MEMBERSHIP_MATRIX = [
    ("list",              401, 200, 200, 200, 200, 200, 200, 200),
    ("retrieve",          401, 404, 200, 200, 404, 200, 200, 200),
    ("create",            401, 403, 403, 201, 400, 201, 400, 201),
    ("update",            401, 403, 403, 200, 404, 200, 403, 200),
    ("delete",            401, 403, 403, 204, 404, 204, 403, 204),
    ("retrieve_sibling",  401, 404, 200, 404, 200, 200, 404, 200),
    ("update_sibling",    401, 403, 403, 404, 200, 200, 404, 200),
    ("delete_sibling",    401, 403, 403, 404, 409, 409, 404, 409),
    ("create_in_sibling", 401, 403, 403, 400, 201, 201, 400, 201),
    ("create_above",      401, 403, 403, 400, 400, 201, 400, 201),
]


@pytest.mark.parametrize("action,expected", [(r[0], r[1:]) for r in MEMBERSHIP_MATRIX],
                         ids=[r[0] for r in MEMBERSHIP_MATRIX])
def test_membership_permission_matrix(world, client_for, action, expected):
    from tests.factories import MembershipFactory

    MembershipFactory(member=world.coord_v1a, team=world.v1b, role="member")
    run_matrix(world, client_for, MEMBERSHIP_REQUESTS[action], expected)


IN_DISTRICT = {"coord_district", "observer_district", "coord_c1", "coord_c2", "coord_v1a", "member_v1a",
               "member_v1a_2", "inactive_v1a", "member_v1b", "member_v2a"}
VISIBLE_MEMBERS = {
    # a plain member sees their active teammates (by name; see tests/privacy), not inactive_v1a
    "member_v1a": {"member_v1a", "coord_v1a", "member_v1a_2"},
    "coord_v1a": {"coord_v1a", "member_v1a", "member_v1a_2", "inactive_v1a"},
    "coord_c1": {"coord_c1", "coord_v1a", "member_v1a", "member_v1a_2", "inactive_v1a", "member_v1b"},
    "coord_c2": {"coord_c2", "member_v2a", "member_v1b"},
    "observer_district": IN_DISTRICT,
    "coord_district": IN_DISTRICT,
    "coord_other_district": {"coord_other_district"},
    "outsider": {"outsider"},
    "superuser": IN_DISTRICT | {"coord_other_district", "outsider", "superuser"},
}


@pytest.mark.parametrize("who", VISIBLE_MEMBERS)
def test_member_and_membership_lists_hold_exactly_the_callers_scope(world, client_for, who):
    from tests.factories import MembershipFactory

    # member_v1b also works in the sibling commune: each side sees only its own membership of theirs.
    MembershipFactory(member=world.member_v1b, team=world.v2a, role="member")
    names = {getattr(world, attr).pk: attr for attr in VISIBLE_MEMBERS["superuser"]}
    caller = getattr(world, who)
    client = client_for(caller)
    visible_teams = {t["id"] for t in client.get("/api/v1/teams/", {"page_size": 200}).json()["results"]}

    body = client.get(MEMBERS, {"page_size": 200}).json()
    assert {names[m["id"]] for m in body["results"]} == VISIBLE_MEMBERS[who]
    for person in body["results"]:
        for membership in person["memberships"]:
            assert membership["team"]["id"] in visible_teams or person["id"] == caller.pk

    rows = client.get(MEMBERSHIPS, {"page_size": 200}).json()["results"]
    for row in rows:
        assert row["team"] in visible_teams
    expected = Membership.objects.filter(member_id__in=[getattr(world, a).pk for a in VISIBLE_MEMBERS[who]])
    if who not in ("superuser",):
        expected = expected.filter(team_id__in=visible_teams)
    assert {r["id"] for r in rows} == set(expected.values_list("id", flat=True))


def test_member_create_gives_the_membership_and_normalised_phone(world, client_for):
    response = client_for(world.coord_c1).post(MEMBERS, {
        "phone": "0987 654 321", "full_name": "Trịnh Văn Mới", "password": "a-long-Pass-2026!",
        "team": world.v1b.pk, "role": "member"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "+84987654321"
    assert [(m["team"]["id"], m["role"]) for m in body["memberships"]] == [(world.v1b.pk, "member")]
    assert "password" not in body
    assert Member.objects.get(phone="+84987654321").check_password("a-long-Pass-2026!")


def test_deactivated_member_can_no_longer_log_in(world, client_for, client):
    from tests.factories import PASSWORD

    assert client_for(world.coord_c1).patch(f"{MEMBERS}{world.member_v1b.pk}/", {"is_active": False},
                                            format="json").status_code == 200
    response = client.post("/api/v1/auth/token/", {"phone": world.member_v1b.phone, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 401
    assert Member.objects.filter(pk=world.member_v1b.pk).exists()


# Whose phone the people list shows: those the caller reads in full (teams.access.read_in_full_q);
# teammates seen only by name have `phone: null`.
PHONES_SHOWN = {
    "superuser": VISIBLE_MEMBERS["superuser"],  # a superuser reads everyone in full
    "coord_c1": VISIBLE_MEMBERS["coord_c1"],
    "member_v1a": {"member_v1a"},  # their teammates coord_v1a and member_v1a_2: by name only
}


@pytest.mark.parametrize("who", PHONES_SHOWN)
def test_the_people_list_shows_the_phones_of_exactly_those_read_in_full(world, client_for, who):
    names = {getattr(world, attr).pk: attr for attr in VISIBLE_MEMBERS["superuser"]}
    rows = client_for(getattr(world, who)).get(MEMBERS, {"page_size": 200}).json()["results"]
    assert {names[row["id"]] for row in rows} == VISIBLE_MEMBERS[who]
    shown = {names[row["id"]]: row["phone"] for row in rows if row["phone"] is not None}
    assert shown == {name: getattr(world, name).phone for name in PHONES_SHOWN[who]}
