"""API2 Broken authentication: tokens, their signature, their lifetime, passwords."""
import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone

from teams.models import Member
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/me/"
REFRESH_URL = "/api/v1/auth/token/refresh/"
LOGOUT_URL = "/api/v1/auth/logout/"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _get_me(client, token):
    return client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def tokens(world, login):
    response = login(world.member_v1a.phone)
    assert response.status_code == 200, response.content
    return response.json()


class TestAccessTokens:
    def test_a_token_from_login_is_accepted(self, client, world, tokens):
        response = _get_me(client, tokens["access"])
        assert response.status_code == 200
        assert response.json()["id"] == world.member_v1a.pk

    def test_a_token_we_sign_ourselves_the_same_way_is_accepted(self, client, tokens):
        # Control for the forgeries below: same claims, same key, same algorithm.
        token = jwt.encode(_claims(tokens["access"]), settings.SECRET_KEY, algorithm="HS256")
        assert _get_me(client, token).status_code == 200

    def test_alg_none_is_rejected(self, client, tokens):
        unsigned = f'{_b64({"alg": "none", "typ": "JWT"})}.{_b64(_claims(tokens["access"]))}.'
        response = _get_me(client, unsigned)
        assert response.status_code == 401
        assert response.json()["status"] == 401

    @pytest.mark.filterwarnings("ignore:The HMAC key is")
    @pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
    def test_another_algorithm_with_the_real_key_is_rejected(self, client, tokens, algorithm):
        token = jwt.encode(_claims(tokens["access"]), settings.SECRET_KEY, algorithm=algorithm)
        assert _get_me(client, token).status_code == 401

    def test_resigned_with_another_key_is_rejected(self, client, tokens):
        token = jwt.encode(_claims(tokens["access"]), "an-attacker-key-" * 4, algorithm="HS256")
        assert _get_me(client, token).status_code == 401

    def test_a_changed_payload_under_the_old_signature_is_rejected(self, client, world, tokens):
        header, _payload, signature = tokens["access"].split(".")
        claims = {**_claims(tokens["access"]), "user_id": world.superuser.pk}
        assert _get_me(client, f"{header}.{_b64(claims)}.{signature}").status_code == 401

    def test_an_expired_token_is_rejected(self, client, tokens):
        past = int((timezone.now() - timedelta(minutes=1)).timestamp())
        token = jwt.encode({**_claims(tokens["access"]), "exp": past}, settings.SECRET_KEY, algorithm="HS256")
        assert _get_me(client, token).status_code == 401

    def test_a_refresh_token_is_not_an_access_token(self, client, tokens):
        assert _get_me(client, tokens["refresh"]).status_code == 401

    def test_garbage_and_missing_tokens_are_401(self, client, db):
        assert client.get(ME_URL).status_code == 401
        assert _get_me(client, "not-a-jwt").status_code == 401
        assert client.get(ME_URL, HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==").status_code == 401

    def test_access_lives_fifteen_minutes_and_refresh_at_most_thirty_days(self, tokens):
        access, refresh = _claims(tokens["access"]), _claims(tokens["refresh"])
        assert access["exp"] - access["iat"] == 15 * 60
        assert refresh["exp"] - refresh["iat"] <= 30 * 24 * 3600

    def test_a_deactivated_member_is_locked_out_at_once(self, client, world, tokens):
        Member.objects.filter(pk=world.member_v1a.pk).update(is_active=False)
        assert _get_me(client, tokens["access"]).status_code == 401
        response = client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, content_type="application/json")
        assert response.status_code == 401

    def test_a_deactivated_member_cannot_log_in(self, world, login):
        assert login(world.inactive_v1a.phone).status_code == 401

    def test_wrong_password_and_unknown_phone_look_the_same(self, world, login):
        wrong = login(world.member_v1a.phone, password="not-the-password-1")
        unknown = login("+84999999999")
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()


class TestRefreshRotation:
    def _refresh(self, client, token):
        return client.post(REFRESH_URL, {"refresh": token}, content_type="application/json")

    def test_refresh_rotates_and_the_old_refresh_token_is_dead(self, client, tokens):
        first = self._refresh(client, tokens["refresh"])
        assert first.status_code == 200
        body = first.json()
        assert body["refresh"] != tokens["refresh"]
        assert _get_me(client, body["access"]).status_code == 200

        replay = self._refresh(client, tokens["refresh"])
        assert replay.status_code == 401
        assert self._refresh(client, body["refresh"]).status_code == 200

    def test_logout_kills_the_refresh_token(self, client, tokens):
        response = client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, content_type="application/json")
        assert response.status_code == 204
        assert self._refresh(client, tokens["refresh"]).status_code == 401
        # Logging out with a dead token is refused (the logout view's own status code is
        # its owner's to settle; what matters here is that nothing is accepted).
        again = client.post(LOGOUT_URL, {"refresh": tokens["refresh"]}, content_type="application/json")
        assert again.status_code in (401, 403)

    def test_a_forged_refresh_token_is_rejected(self, client, tokens):
        forged = jwt.encode(_claims(tokens["refresh"]), "an-attacker-key-" * 4, algorithm="HS256")
        assert self._refresh(client, forged).status_code == 401
        unsigned = f'{_b64({"alg": "none", "typ": "JWT"})}.{_b64(_claims(tokens["refresh"]))}.'
        assert self._refresh(client, unsigned).status_code == 401

    def test_an_access_token_cannot_be_used_to_refresh(self, client, tokens):
        assert self._refresh(client, tokens["access"]).status_code == 401


class TestPasswordValidators:
    URL = "/api/v1/members/"

    def _create(self, client_for, world, password, phone="0912000111"):
        return client_for(world.coord_c1).post(self.URL, {
            "phone": phone, "full_name": "Nguyễn Văn Mới", "password": password,
            "team": world.v1a.pk, "role": "member",
        }, format="json")

    @pytest.mark.parametrize("password", [
        "short1",            # too short
        "12345678901",       # entirely numeric
        "password123",       # common
        "0912000111",        # the phone itself
        "nguyễn văn mới",    # the name
    ])
    def test_weak_passwords_are_a_400_on_password_and_nobody_is_created(self, client_for, world, password):
        response = self._create(client_for, world, password)
        assert response.status_code == 400, response.content
        assert "password" in response.json()["errors"]
        assert not Member.objects.filter(phone="+84912000111").exists()

    def test_a_strong_password_creates_the_member_who_can_log_in(self, client_for, world, login):
        response = self._create(client_for, world, "river-lantern-42-moss")
        assert response.status_code == 201, response.content
        assert "password" not in response.json()
        assert login("0912000111", password="river-lantern-42-moss").status_code == 200

    def test_validators_are_configured(self):
        names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
        assert names == {"UserAttributeSimilarityValidator", "MinimumLengthValidator",
                         "CommonPasswordValidator", "NumericPasswordValidator"}


def test_factories_password_still_logs_in(world, login):
    # The shared test password must itself pass the validators' idea of a login.
    assert login(world.coord_c1.phone, password=PASSWORD).status_code == 200


def test_a_refresh_token_of_a_deleted_member_is_401_not_500(client, world, login):
    # Members leave by deactivation, but an administrator can still delete one who
    # holds no role (memberships protect the rest) in the admin.
    tokens = login(world.outsider.phone).json()
    Member.objects.filter(pk=world.outsider.pk).delete()
    response = client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, content_type="application/json")
    assert response.status_code == 401
    assert _get_me(client, tokens["access"]).status_code == 401
