"""Accounts people can keep: /me/password/, set-password by a coordinator, and what each revokes."""
import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from teams.models import Member
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
NEW = "a-new-river-lantern-77"


def tokens(member, password=PASSWORD):
    response = APIClient().post(LOGIN, {"phone": member.phone, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


class TestMePassword:
    URL = "/api/v1/me/password/"

    def test_a_change_revokes_every_token_issued_before(self, world):
        phone_a, phone_b = tokens(world.member_v1a), tokens(world.member_v1a)
        client = bearer(phone_a["access"])
        response = client.post(self.URL, {"old_password": PASSWORD, "new_password": NEW}, format="json")
        assert response.status_code == 204, response.content
        for session in (phone_a, phone_b):
            assert bearer(session["access"]).get("/api/v1/me/").status_code == 401
            assert APIClient().post(REFRESH, {"refresh": session["refresh"]}, format="json").status_code == 401
        assert not OutstandingToken.objects.filter(user=world.member_v1a, blacklistedtoken__isnull=True).exists()
        assert APIClient().post(LOGIN, {"phone": world.member_v1a.phone, "password": PASSWORD},
                                format="json").status_code == 401
        assert bearer(tokens(world.member_v1a, NEW)["access"]).get("/api/v1/me/").status_code == 200

    def test_a_wrong_old_password_is_a_400_on_old_password_and_changes_nothing(self, world):
        client = bearer(tokens(world.member_v1a)["access"])
        response = client.post(self.URL, {"old_password": "not-it-at-all", "new_password": NEW}, format="json",
                               HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert response.json()["errors"] == {"old_password": ["The current password is wrong."]}
        assert client.get("/api/v1/me/").status_code == 200
        vi = client.post(self.URL, {"old_password": "not-it-at-all", "new_password": NEW}, format="json")
        assert vi.json()["errors"]["old_password"] == ["Mật khẩu hiện tại không đúng."]

    @pytest.mark.parametrize("weak", ["short1", "12345678901", "password123", "Đặng Thị Lan"])
    def test_the_new_password_goes_through_the_validators(self, world, weak):
        client = bearer(tokens(world.member_v1a)["access"])
        response = client.post(self.URL, {"old_password": PASSWORD, "new_password": weak}, format="json")
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["new_password"]
        assert Member.objects.get(pk=world.member_v1a.pk).check_password(PASSWORD)

    def test_missing_fields_are_400(self, world, client_for):
        response = client_for(world.member_v1a).post(self.URL, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"old_password", "new_password"}

    def test_no_token_is_401(self, db):
        assert APIClient().post(self.URL, {"old_password": "a", "new_password": "b"}, format="json").status_code == 401


class TestSetPassword:
    def url(self, member):
        return f"/api/v1/members/{member.pk}/set-password/"

    def test_a_coordinator_resets_a_password_and_the_persons_tokens_stop(self, world, client_for):
        session = tokens(world.member_v1a)
        response = client_for(world.coord_c1).post(self.url(world.member_v1a), {"new_password": NEW}, format="json")
        assert response.status_code == 204, response.content
        assert bearer(session["access"]).get("/api/v1/me/").status_code == 401
        assert APIClient().post(REFRESH, {"refresh": session["refresh"]}, format="json").status_code == 401
        tokens(world.member_v1a, NEW)

    def test_a_coordinator_of_only_one_of_the_persons_teams_may_not(self, world, client_for):
        MembershipFactory(member=world.member_v1a, team=world.v2a, role="member")
        response = client_for(world.coord_c1).post(self.url(world.member_v1a), {"new_password": NEW}, format="json")
        assert response.status_code == 403
        assert client_for(world.coord_district).post(self.url(world.member_v1a), {"new_password": NEW},
                                                     format="json").status_code == 204

    def test_role_checks_come_before_the_body(self, world, client_for):
        assert client_for(world.member_v1a_2).post(self.url(world.member_v1a), {}, format="json").status_code == 403
        assert client_for(world.coord_c2).post(self.url(world.member_v1a), {}, format="json").status_code == 404

    def test_nobody_resets_their_own_here(self, world, client_for):
        assert client_for(world.coord_c1).post(self.url(world.coord_c1), {"new_password": NEW},
                                               format="json").status_code == 403

    def test_only_superusers_reset_a_staff_member(self, world, client_for):
        Member.objects.filter(pk=world.member_v1a.pk).update(is_staff=True)
        assert client_for(world.coord_c1).post(self.url(world.member_v1a), {"new_password": NEW},
                                               format="json").status_code == 403
        assert client_for(world.superuser).post(self.url(world.member_v1a), {"new_password": NEW},
                                                format="json").status_code == 204

    def test_a_weak_password_is_a_400_on_new_password(self, world, client_for):
        response = client_for(world.coord_c1).post(self.url(world.member_v1a), {"new_password": "123"},
                                                   format="json")
        assert response.status_code == 400 and list(response.json()["errors"]) == ["new_password"]


class TestUnlock:
    def url(self, member):
        return f"/api/v1/members/{member.pk}/unlock/"

    def test_a_coordinator_of_any_of_the_persons_teams_may(self, world, client_for):
        MembershipFactory(member=world.member_v1a, team=world.v2a, role="member")
        assert client_for(world.coord_c2).post(self.url(world.member_v1a)).status_code == 204
        assert client_for(world.coord_c1).post(self.url(world.member_v1a)).status_code == 204

    def test_members_observers_and_strangers_may_not(self, world, client_for):
        assert client_for(world.member_v1a_2).post(self.url(world.member_v1a)).status_code == 403
        assert client_for(world.observer_district).post(self.url(world.member_v1a)).status_code == 403
        assert client_for(world.coord_other_district).post(self.url(world.member_v1a)).status_code == 404
