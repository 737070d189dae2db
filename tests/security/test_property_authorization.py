"""API3 Broken object property level authorization on the teams endpoints:
fields a caller may read but not write are ignored when written."""
import pytest

from teams.choices import Role
from teams.models import Member, Membership
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _snapshot(member):
    member = Member.objects.get(pk=member.pk)
    return {
        "phone": member.phone, "is_active": member.is_active, "is_staff": member.is_staff,
        "is_superuser": member.is_superuser, "password": member.password, "date_joined": member.date_joined,
        "last_login": member.last_login, "pk": member.pk,
        "memberships": sorted(Membership.objects.filter(member=member).values_list("team_id", "role")),
        "groups": list(member.groups.all()), "permissions": list(member.user_permissions.all()),
    }


class TestMe:
    ATTEMPT = {
        "full_name": "Tên Mới",
        "role": "coordinator",
        "is_staff": True,
        "is_superuser": True,
        "is_active": False,
        "phone": "+84987654321",
        "password": "a-new-password-77",
        "id": 999999,
        "date_joined": "2000-01-01T00:00:00Z",
        "last_login": "2000-01-01T00:00:00Z",
        "groups": [1],
        "user_permissions": [1],
    }

    @pytest.mark.parametrize("fmt", ["json", "multipart"])
    def test_only_the_name_changes(self, client_for, world, fmt):
        me = world.member_v1a
        before = _snapshot(me)
        attempt = dict(self.ATTEMPT)
        if fmt == "json":
            attempt["memberships"] = [{"team": world.district.pk, "role": "coordinator"}]
        else:
            attempt = {k: v for k, v in attempt.items() if not isinstance(v, list)}
            attempt["memberships"] = str(world.district.pk)
        response = client_for(me).patch("/api/v1/me/", attempt, format=fmt)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["full_name"] == "Tên Mới"
        assert body["phone"] == before["phone"] and body["is_active"] is True
        assert [(m["team"]["id"], m["role"]) for m in body["memberships"]] == [(world.v1a.pk, Role.MEMBER)]
        assert _snapshot(me) == before
        assert Member.objects.get(pk=me.pk).full_name == "Tên Mới"

    @pytest.mark.parametrize("field,value", [(k, v) for k, v in ATTEMPT.items() if k != "full_name"]
                             + [("memberships", [{"team": 1, "role": "coordinator"}])])
    def test_each_read_only_field_alone_changes_nothing(self, client_for, world, field, value):
        me = world.member_v1a
        before = _snapshot(me)
        response = client_for(me).patch("/api/v1/me/", {field: value}, format="json")
        assert response.status_code == 200, response.content
        assert _snapshot(me) == before
        assert Member.objects.get(pk=me.pk).full_name == world.member_v1a.full_name

    def test_put_is_not_a_way_around(self, client_for, world):
        me = world.member_v1a
        before = _snapshot(me)
        response = client_for(me).put("/api/v1/me/", {**self.ATTEMPT, "full_name": me.full_name}, format="json")
        assert response.status_code == 405
        assert _snapshot(me) == before

    def test_the_old_password_still_logs_in_and_the_new_one_does_not(self, client, client_for, world):
        me = world.member_v1a
        client_for(me).patch("/api/v1/me/", {"password": "a-new-password-77"}, format="json")
        login = "/api/v1/auth/token/"
        assert client.post(login, {"phone": me.phone, "password": "a-new-password-77"},
                           content_type="application/json").status_code == 401
        assert client.post(login, {"phone": me.phone, "password": PASSWORD},
                           content_type="application/json").status_code == 200


class TestMembers:
    def test_a_coordinator_cannot_grant_staff_or_superuser_or_reset_a_password(self, client_for, world):
        target = world.member_v1a
        before = _snapshot(target)
        response = client_for(world.coord_c1).patch(f"/api/v1/members/{target.pk}/", {
            "is_staff": True, "is_superuser": True, "password": "a-new-password-77",
            "date_joined": "2000-01-01T00:00:00Z", "memberships": [{"team": world.district.pk, "role": "coordinator"}],
            "role": "coordinator", "groups": [1],
        }, format="json")
        assert response.status_code == 200, response.content
        assert _snapshot(target) == before

    def test_a_new_member_cannot_be_created_as_staff(self, client_for, world):
        response = client_for(world.coord_c1).post("/api/v1/members/", {
            "phone": "0912000222", "full_name": "Người Mới", "password": "river-lantern-42-moss",
            "team": world.v1a.pk, "role": "member", "is_staff": True, "is_superuser": True,
        }, format="json")
        assert response.status_code == 201, response.content
        created = Member.objects.get(phone="+84912000222")
        assert not created.is_staff and not created.is_superuser


class TestMemberships:
    def test_a_role_change_cannot_move_the_membership(self, client_for, world):
        membership = Membership.objects.get(member=world.member_v1a, team=world.v1a)
        response = client_for(world.coord_c1).patch(f"/api/v1/memberships/{membership.pk}/", {
            "role": "observer", "team": world.v2a.pk, "member": world.coord_c2.pk,
        }, format="json")
        assert response.status_code == 200, response.content
        membership.refresh_from_db()
        assert (membership.member_id, membership.team_id, membership.role) == (
            world.member_v1a.pk, world.v1a.pk, Role.OBSERVER)
