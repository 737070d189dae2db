"""Nobody raises their own role or sets flags through the API, and a refused try changes nothing."""
import pytest

from teams.models import Member, Membership


def _snapshot():
    people = list(Member.objects.order_by("pk").values_list(
        "pk", "phone", "full_name", "is_active", "is_staff", "is_superuser"))
    roles = list(Membership.objects.order_by("pk").values_list("pk", "member_id", "team_id", "role"))
    return people, roles


@pytest.mark.parametrize("field,value", [
    ("role", "coordinator"), ("is_staff", True), ("is_superuser", True), ("is_active", False),
    ("phone", "0999888777"), ("memberships", [{"team": 1, "role": "coordinator"}]), ("team", 1),
])
def test_patch_me_cannot_touch_roles_flags_or_login(world, client_for, field, value):
    before = _snapshot()
    response = client_for(world.member_v1a).patch("/api/v1/me/", {field: value}, format="json")
    assert response.status_code in (200, 400)
    assert _snapshot() == before
    me = client_for(world.member_v1a).get("/api/v1/me/").json()
    assert me["phone"] == world.member_v1a.phone and me["is_active"] is True
    assert [m["role"] for m in me["memberships"]] == ["member"]


def test_patch_me_changes_the_name_only(world, client_for):
    response = client_for(world.member_v1a).patch(
        "/api/v1/me/", {"full_name": "Đặng Thị Lan Anh", "is_staff": True}, format="json")
    assert response.status_code == 200
    world.member_v1a.refresh_from_db()
    assert world.member_v1a.full_name == "Đặng Thị Lan Anh"
    assert world.member_v1a.is_staff is False


@pytest.mark.parametrize("who,team_attr", [
    ("coord_c1", "c1"), ("coord_v1a", "v1a"), ("coord_district", "district")])
@pytest.mark.parametrize("new_role", ["coordinator", "observer", "member"])
def test_patch_or_delete_own_membership_is_forbidden(world, client_for, who, team_attr, new_role):
    caller = getattr(world, who)
    membership = Membership.objects.get(member=caller, team=getattr(world, team_attr))
    before = _snapshot()
    client = client_for(caller)
    assert client.patch(f"/api/v1/memberships/{membership.pk}/", {"role": new_role},
                        format="json").status_code == 403
    # even with a body that would not validate: the role check comes first
    assert client.patch(f"/api/v1/memberships/{membership.pk}/", {"role": "king"},
                        format="json").status_code == 403
    assert client.delete(f"/api/v1/memberships/{membership.pk}/").status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("who,target_team", [
    ("coord_c1", "district"), ("coord_c1", "province"), ("coord_v1a", "c1"), ("coord_c2", "c1"),
    ("observer_district", "district"), ("member_v1a", "v1a"),
])
def test_granting_oneself_a_role_above_or_beside_fails(world, client_for, who, target_team):
    caller = getattr(world, who)
    before = _snapshot()
    response = client_for(caller).post("/api/v1/memberships/", {
        "member": caller.pk, "team": getattr(world, target_team).pk, "role": "coordinator"}, format="json")
    assert response.status_code in (400, 403)
    assert _snapshot() == before


def test_granting_oneself_a_role_inside_ones_subtree_fails(world, client_for):
    before = _snapshot()
    response = client_for(world.coord_c1).post("/api/v1/memberships/", {
        "member": world.coord_c1.pk, "team": world.v1a.pk, "role": "coordinator"}, format="json")
    assert response.status_code == 403
    assert _snapshot() == before


def test_a_coordinator_cannot_lift_a_member_above_its_own_reach(world, client_for):
    before = _snapshot()
    response = client_for(world.coord_v1a).post("/api/v1/memberships/", {
        "member": world.member_v1a.pk, "team": world.c1.pk, "role": "coordinator"}, format="json")
    assert response.status_code == 400
    assert "team" in response.json()["errors"]
    assert _snapshot() == before


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_staff_and_superuser_flags_cannot_be_set_through_members(world, client_for, flag):
    before = _snapshot()
    client = client_for(world.coord_district)
    response = client.patch(f"/api/v1/members/{world.member_v1a.pk}/", {flag: True}, format="json")
    assert response.status_code in (200, 400)
    assert _snapshot() == before
    response = client.post("/api/v1/members/", {
        "phone": "0977111222", "full_name": "Người Mới", "password": "a-long-Pass-2026!",
        "team": world.v1a.pk, "role": "member", flag: True}, format="json")
    assert response.status_code == 201
    created = Member.objects.get(phone="+84977111222")
    assert getattr(created, flag) is False


def test_a_coordinator_cannot_change_or_deactivate_itself_via_members(world, client_for):
    before = _snapshot()
    client = client_for(world.coord_c1)
    assert client.patch(f"/api/v1/members/{world.coord_c1.pk}/", {"is_active": False},
                        format="json").status_code == 403
    assert client.patch(f"/api/v1/members/{world.coord_c1.pk}/", {"is_active": "maybe"},
                        format="json").status_code == 403
    assert _snapshot() == before


def test_a_coordinator_cannot_change_staff(world, client_for):
    staff = world.member_v1b
    Member.objects.filter(pk=staff.pk).update(is_staff=True)
    before = _snapshot()
    response = client_for(world.coord_c1).patch(f"/api/v1/members/{staff.pk}/", {"is_active": False},
                                                format="json")
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("who,code", [("coord_c1", 403), ("coord_c2", 403), ("coord_district", 200),
                                      ("superuser", 200)])
def test_someone_in_two_communes_is_changed_only_from_above_both(world, client_for, who, code):
    """A profile and the active flag are the person's everywhere: a coordinator of one of
    their communes sees them but cannot deactivate them for the other."""
    from tests.factories import MembershipFactory

    MembershipFactory(member=world.member_v1b, team=world.v2a, role="member")
    before = _snapshot()
    response = client_for(getattr(world, who)).patch(
        f"/api/v1/members/{world.member_v1b.pk}/", {"is_active": False}, format="json")
    assert response.status_code == code
    if code == 403:
        assert _snapshot() == before
    else:
        world.member_v1b.refresh_from_db()
        assert world.member_v1b.is_active is False


def test_a_coordinator_cannot_rename_a_coordinator_above_who_also_works_below(world, client_for):
    from tests.factories import MembershipFactory

    MembershipFactory(member=world.coord_district, team=world.v1a, role="member")
    before = _snapshot()
    response = client_for(world.coord_c1).patch(f"/api/v1/members/{world.coord_district.pk}/",
                                                {"full_name": "Bị đổi tên"}, format="json")
    assert response.status_code == 403
    assert _snapshot() == before


def test_a_superuser_cannot_deactivate_or_change_themselves_through_members(world, client_for):
    """Found by schemathesis: a superuser PATCHing their own member row locked themselves out."""
    client = client_for(world.superuser)
    response = client.patch(f"/api/v1/members/{world.superuser.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 403
    world.superuser.refresh_from_db()
    assert world.superuser.is_active
