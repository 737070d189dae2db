"""Authentication without a query per request (issue 16), and tokens that stop at once.

Every token carries the person's token version (`ver`); a request is checked
against the person's AuthState, read from the shared cache (api/authstate.py).
A password change or reset, a deactivation or an anonymisation moves the
version on: access and refresh tokens minted before stop working on the next
request, whatever the cache held.
"""
import os
import socket
import uuid

import jwt
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from rest_framework.test import APIClient

from api.authentication import TokenMember
from api.authstate import KEY, AuthState, auth_state, auth_state_changed
from api.tokens import refresh_token_for
from teams import services
from teams.models import Member

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"
REFRESH = "/api/v1/auth/token/refresh/"


def bearer(member) -> tuple[APIClient, str]:
    refresh = refresh_token_for(member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh.access_token}")
    return client, str(refresh)


def forced(member) -> APIClient:
    client = APIClient()
    client.force_authenticate(member)
    return client


class TestNoQueryPerRequest:
    @pytest.mark.parametrize("url, queries", [
        (ME, 3),                              # the person, memberships, their teams
        ("/api/v1/teams/", 4),                # scope, count, page, ancestors
        ("/api/v1/notifications/", 1),        # the page (no scope needed: one's own rows)
        ("/api/v1/assignments/?mine=true", 2),
    ])
    def test_an_authenticated_request_costs_what_the_view_costs_and_nothing_more(
            self, world, django_assert_num_queries, url, queries):
        if url != ME and "/teams/" not in url and connection.vendor == "postgresql":
            queries += 1  # the sync lists' X-Sync-Cursor reads pg_stat_activity (api/sync.py)
        client, _refresh = bearer(world.coord_c1)
        # SQLite asks once per connection whether it has JSON functions (the first query with
        # one asks): asked here, so that this test counts the same alone or in the suite.
        assert connection.features.has_json_object_function in (True, False)
        # The first request of a person reads their AuthState once (then it is cached).
        with django_assert_num_queries(queries + 1):
            assert client.get(url).status_code == 200
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200
        # ...exactly what the view costs when authentication is skipped altogether.
        with django_assert_num_queries(queries):
            assert forced(world.coord_c1).get(url).status_code == 200

    def test_the_memory_cache_keeps_more_people_than_djangos_default_300(self, django_assert_num_queries):
        # Without Redis (one process, `make run`) the states live in the per-process cache:
        # with Django's 300 entries the 301st person culled a third, who then cost a query each.
        if not isinstance(caches["default"], LocMemCache):
            pytest.skip("the per-process cache (no CACHE_URL)")
        ids = range(10**9, 10**9 + 1_000)  # nobody: "no such person" is remembered just the same
        for member_id in ids:
            auth_state(member_id)
        with django_assert_num_queries(0):
            assert all(auth_state(member_id) is None for member_id in ids)

    def test_the_cached_state_is_the_persons_and_holds_no_personal_data(self, world):
        client, _refresh = bearer(world.member_v1a)
        assert client.get(ME).status_code == 200
        entry = cache.get(KEY.format(world.member_v1a.pk))
        assert AuthState(*entry) == AuthState(version=0, is_active=True, is_superuser=False, is_staff=False)

    def test_request_user_is_loaded_only_when_a_view_reads_more_than_who_it_is(self, world, rf):
        state = auth_state(world.coord_c1.pk)
        user = TokenMember(world.coord_c1.pk, state)
        from api.access import scope_for
        from teams.models import Membership

        assert isinstance(user, Member) and user.is_authenticated and user
        assert user.pk == user.id == world.coord_c1.pk and not user.is_superuser
        assert scope_for(user).has_capability("manage")  # the scope is kept on the proxy
        assert list(Membership.objects.filter(member=user).values_list("team_id", flat=True)) == [world.c1.pk]
        assert user == world.coord_c1 and world.coord_c1 == user and hash(user) == hash(world.coord_c1)
        assert not user.is_loaded
        assert user.full_name == world.coord_c1.full_name  # now it loads, once
        assert user.is_loaded

    def test_views_that_need_the_whole_person_still_work(self, world):
        client, _refresh = bearer(world.member_v1a)
        response = client.patch(ME, {"full_name": "Đặng Thị Lan Anh"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["full_name"] == "Đặng Thị Lan Anh"
        assert client.get("/api/v1/me/export/").status_code == 200


class TestTokensStopAtOnce:
    def _warm(self, client):
        assert client.get(ME).status_code == 200  # the state is now cached

    def test_a_new_password_ends_access_and_refresh_tokens(self, world):
        client, refresh = bearer(world.member_v1a)
        self._warm(client)
        member = Member.objects.get(pk=world.member_v1a.pk)
        member.set_password("a-new-river-lantern-77")
        member.save()
        response = client.get(ME)
        assert response.status_code == 401 and response.json()["code"] == "token_not_valid"
        assert APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code == 401
        # A token minted now, at the new version, works.
        assert bearer(member)[0].get(ME).status_code == 200

    def test_deactivation_ends_them_and_reactivation_does_not_bring_them_back(self, world):
        client, refresh = bearer(world.member_v1a)
        self._warm(client)
        member = Member.objects.get(pk=world.member_v1a.pk)
        services.member_update(member=member, actor=world.coord_c1, is_active=False)
        assert client.get(ME).status_code == 401
        assert APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code == 401
        services.member_update(member=member, actor=world.coord_c1, is_active=True)
        assert client.get(ME).status_code == 401
        assert APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code == 401

    def test_anonymisation_ends_them(self, world):
        client, refresh = bearer(world.member_v1a)
        self._warm(client)
        services.member_anonymise(member=Member.objects.get(pk=world.member_v1a.pk), actor=world.superuser)
        assert client.get(ME).status_code == 401
        assert APIClient().post(REFRESH, {"refresh": refresh}, format="json").status_code == 401

    def test_losing_superuser_rights_takes_effect_at_once(self, world):
        boss = world.superuser
        client, _refresh = bearer(boss)
        assert client.get(f"/api/v1/members/{world.member_v2a.pk}/").status_code == 200
        boss.is_superuser = False
        boss.save()
        assert client.get(f"/api/v1/members/{world.member_v2a.pk}/").status_code == 404

    def test_a_refreshed_token_keeps_the_version_and_works(self, world):
        _client, refresh = bearer(world.member_v1a)
        body = APIClient().post(REFRESH, {"refresh": refresh}, format="json").json()
        assert jwt.decode(body["access"], options={"verify_signature": False})["ver"] == 0
        assert jwt.decode(body["refresh"], options={"verify_signature": False})["ver"] == 0
        fresh = APIClient()
        fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
        assert fresh.get(ME).status_code == 200

    @pytest.mark.parametrize("ver", ["0", None, True, 1.0, -1])
    def test_a_version_claim_that_is_not_the_number_is_refused(self, world, ver):
        claims = jwt.decode(str(refresh_token_for(world.member_v1a).access_token),
                            options={"verify_signature": False})
        claims["ver"] = ver
        token = jwt.encode(claims, django_settings.SECRET_KEY, algorithm="HS256")
        assert APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401

    def test_a_token_without_a_version_counts_as_version_zero(self, world):
        # Tokens minted before versions existed keep working until the first change.
        claims = jwt.decode(str(refresh_token_for(world.member_v1a).access_token),
                            options={"verify_signature": False})
        del claims["ver"]
        token = jwt.encode(claims, django_settings.SECRET_KEY, algorithm="HS256")
        assert APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
        member = Member.objects.get(pk=world.member_v1a.pk)
        member.set_password("a-new-river-lantern-77")
        member.save()
        assert APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401

    def test_after_the_commit_the_entry_holds_the_new_state(self, world, django_capture_on_commit_callbacks):
        client, _refresh = bearer(world.member_v1a)
        self._warm(client)
        with django_capture_on_commit_callbacks(execute=True):
            member = Member.objects.get(pk=world.member_v1a.pk)
            member.set_password("a-new-river-lantern-77")
            member.save()
            assert cache.get(KEY.format(member.pk)) is None  # dropped at once
        assert AuthState(*cache.get(KEY.format(member.pk))).version == 1  # written afresh

    def test_a_queryset_update_followed_by_auth_state_changed_is_seen(self, world):
        client, _refresh = bearer(world.member_v1a)
        self._warm(client)
        Member.objects.filter(pk=world.member_v1a.pk).update(is_active=False)
        auth_state_changed([world.member_v1a.pk])
        assert client.get(ME).status_code == 401

    def test_a_login_does_not_rewrite_the_entry(self, world, django_capture_on_commit_callbacks):
        # update_last_login saves only last_login: nothing authentication reads changed.
        with django_capture_on_commit_callbacks() as callbacks:
            response = APIClient().post("/api/v1/auth/token/", {"phone": world.member_v1a.phone,
                                                                "password": "correct-horse-battery-9"})
        assert response.status_code == 200
        assert callbacks == []


class TestSignatureCheckedOncePerProcess:
    """A raw token verified once is not decoded again until it expires (api/authentication.py);
    what the person may do is still read for every request (the class above)."""

    def _count_decodes(self, monkeypatch):
        from rest_framework_simplejwt.backends import TokenBackend

        calls, decode = [], TokenBackend.decode

        def counted(self, token, verify=True):
            calls.append(token)
            return decode(self, token, verify)

        monkeypatch.setattr(TokenBackend, "decode", counted)
        return calls

    def test_a_token_is_decoded_once(self, world, monkeypatch):
        calls = self._count_decodes(monkeypatch)
        client, _refresh = bearer(world.member_v1a)
        for _ in range(3):
            assert client.get(ME).status_code == 200
        assert len(calls) == 1

    def test_a_verified_token_still_expires(self, world):
        import time_machine
        from datetime import datetime, timedelta, timezone

        client, _refresh = bearer(world.member_v1a)
        assert client.get(ME).status_code == 200
        access = client._credentials["HTTP_AUTHORIZATION"].split()[1]
        exp = datetime.fromtimestamp(jwt.decode(access, options={"verify_signature": False})["exp"], timezone.utc)
        with time_machine.travel(exp - timedelta(seconds=2), tick=False):
            assert client.get(ME).status_code == 200
        with time_machine.travel(exp + timedelta(seconds=1), tick=False):
            response = client.get(ME)
            assert response.status_code == 401 and response.json()["code"] == "token_not_valid"

    def test_a_token_changed_in_one_byte_is_refused_after_the_real_one_was_verified(self, world):
        client, _refresh = bearer(world.member_v1a)
        assert client.get(ME).status_code == 200
        access = client._credentials["HTTP_AUTHORIZATION"].split()[1]
        forged = access[:-2] + ("A" if access[-2] != "A" else "B") + access[-1]
        assert APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401
        claims = jwt.decode(access, options={"verify_signature": False})
        other = jwt.encode({**claims, "user_id": str(world.coord_c1.pk)}, "not-our-key-" * 4, algorithm="HS256")
        assert APIClient().get(ME, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 401

    def test_the_map_of_verified_tokens_is_bounded(self, world, monkeypatch):
        from api import authentication

        monkeypatch.setattr(authentication, "VERIFIED_TOKENS_KEPT", 2)
        for member in (world.member_v1a, world.member_v1a_2, world.member_v1b):
            assert bearer(member)[0].get(ME).status_code == 200
        assert len(authentication._verified) == 2


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


class TestWithRedis:
    def test_redis_down_asks_the_database_and_never_trusts_process_memory(
            self, world, settings, django_assert_num_queries):
        settings.CACHES = {"default": {
            "BACKEND": "api.cache.ResilientRedisCache", "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }}
        client, _refresh = bearer(world.member_v1a)
        for _ in range(2):  # each request reads the state from the database: +1
            with django_assert_num_queries(4):
                assert client.get(ME).status_code == 200
        member = Member.objects.get(pk=world.member_v1a.pk)
        member.set_password("a-new-river-lantern-77")
        member.save()
        assert client.get(ME).status_code == 401

    def test_with_redis_the_entry_is_shared_and_invalidated(self, world, settings, django_assert_num_queries):
        import redis

        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip(f"needs Redis at {url} (set TEST_REDIS_URL)")
        prefix = f"test-{uuid.uuid4().hex}"
        settings.CACHES = {"default": {"BACKEND": "api.cache.ResilientRedisCache", "LOCATION": url,
                                       "KEY_PREFIX": prefix}}
        server = redis.Redis.from_url(url)
        try:
            client, _refresh = bearer(world.member_v1a)
            assert client.get(ME).status_code == 200
            assert any(b"auth-state" in key for key in server.scan_iter(f"{prefix}:*"))
            with django_assert_num_queries(3):
                assert client.get(ME).status_code == 200
            services.member_update(member=Member.objects.get(pk=world.member_v1a.pk), actor=world.coord_c1,
                                   is_active=False)
            assert client.get(ME).status_code == 401
        finally:
            for key in server.scan_iter(f"{prefix}:*"):
                server.delete(key)
