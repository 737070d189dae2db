"""API2/API4: login throttled per phone and per client address; per-member and
anonymous throttles on everything else; counters in the cache (Redis in production)."""
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from api import throttling
from api.throttling import LoginAddressThrottle, LoginPhoneThrottle, MemberRateThrottle
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _assert_throttled(response):
    assert response.status_code == 429, response.content
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 3600
    body = response.json()
    assert body["status"] == 429 and body["code"] == "throttled" and body["detail"]


class TestLoginPerPhone:
    def test_the_fourth_attempt_on_one_phone_is_429_from_any_address(self, world, login, throttle_rates):
        throttle_rates(login_phone="3/min")
        phone = world.member_v1a.phone
        for i in range(3):
            assert login(phone, password="wrong-guess-%d" % i, address=f"198.51.100.{i}").status_code == 401
        # Even the right password, from a fresh address, waits.
        _assert_throttled(login(phone, address="198.51.100.99"))

    def test_both_spellings_of_a_number_share_one_count(self, world, login, throttle_rates):
        throttle_rates(login_phone="2/min")
        e164 = world.member_v1a.phone  # +84...
        local = "0" + e164[3:]
        assert login(e164, password="wrong-1").status_code == 401
        assert login(local, password="wrong-2").status_code == 401
        _assert_throttled(login(f" {local} "))

    def test_other_phones_are_not_held_up(self, world, login, throttle_rates):
        throttle_rates(login_phone="1/min")
        assert login(world.member_v1a.phone, password="wrong").status_code == 401
        _assert_throttled(login(world.member_v1a.phone))
        assert login(world.member_v1b.phone).status_code == 200

    def test_the_phone_is_free_again_once_the_window_has_passed(self, world, login, throttle_rates, monkeypatch):
        throttle_rates(login_phone="1/min")
        now = [1_000_000.0]
        monkeypatch.setattr(LoginPhoneThrottle, "timer", lambda self: now[0])
        monkeypatch.setattr(LoginAddressThrottle, "timer", lambda self: now[0])
        assert login(world.member_v1a.phone, password="wrong").status_code == 401
        response = login(world.member_v1a.phone)
        _assert_throttled(response)
        assert int(response["Retry-After"]) == 60
        now[0] += 61
        assert login(world.member_v1a.phone).status_code == 200

    def test_the_cache_key_holds_no_phone_number(self, world, login, throttle_rates):
        from django.core.cache import cache

        throttle_rates(login_phone="5/min")
        login(world.member_v1a.phone)
        keys = list(cache._cache.keys())  # LocMemCache's own dict: what Redis would hold
        assert keys and not any(world.member_v1a.phone[3:] in key for key in keys)

    @pytest.mark.parametrize("body", [
        ["a", "list"], "a string", {"phone": 12345}, {"phone": ["+84912345678"]}, {"phone": "x" * 500}, {},
    ])
    def test_odd_bodies_are_a_400_or_401_never_a_500(self, client, world, throttle_rates, body):
        throttle_rates(login_phone="1/min")
        response = client.post("/api/v1/auth/token/", body, content_type="application/json")
        assert response.status_code in (400, 401), response.content


class TestLoginPerAddress:
    def test_many_phones_from_one_address_are_429(self, world, login, throttle_rates):
        throttle_rates(login_address="3/min")
        people = [world.member_v1a, world.member_v1b, world.member_v2a]
        for person in people:
            assert login(person.phone, password="wrong", address="192.0.2.7").status_code == 401
        _assert_throttled(login(world.coord_c1.phone, address="192.0.2.7"))
        assert login(world.coord_c1.phone, address="192.0.2.8").status_code == 200

    def test_a_made_up_forwarded_for_header_does_not_reset_the_count(self, world, login, throttle_rates):
        throttle_rates(login_address="2/min")  # NUM_PROXIES = 0: X-Forwarded-For is the client's word
        for i in range(2):
            login(world.member_v1a.phone, password="wrong", address="192.0.2.7",
                  HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
        _assert_throttled(login(world.member_v1b.phone, address="192.0.2.7", HTTP_X_FORWARDED_FOR="10.9.9.200"))

    def test_behind_one_proxy_the_address_it_saw_counts(self, world, login, throttle_rates, settings):
        throttle_rates(login_address="1/min")
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        proxy = "10.0.0.1"
        assert login(world.member_v1a.phone, password="wrong", address=proxy,
                     HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 401
        _assert_throttled(login(world.member_v1b.phone, address=proxy,
                                HTTP_X_FORWARDED_FOR="203.0.113.1"))
        # A client prepending its own value changes nothing: the proxy appends the real one last.
        _assert_throttled(login(world.member_v1b.phone, address=proxy,
                                HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.1"))
        assert login(world.member_v1b.phone, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200


class TestPerMember:
    def test_a_member_over_the_rate_is_429_and_others_are_not(self, client_for, world, throttle_rates):
        throttle_rates(user="3/min")
        busy = client_for(world.coord_c1)
        for _ in range(3):
            assert busy.get("/api/v1/teams/").status_code == 200
        _assert_throttled(busy.get("/api/v1/teams/"))
        _assert_throttled(busy.get("/api/v1/me/"))  # one count per member, across endpoints
        assert client_for(world.coord_c2).get("/api/v1/teams/").status_code == 200

    def test_the_count_follows_the_member_not_the_address(self, client_for, world, throttle_rates):
        throttle_rates(user="2/min")
        busy = client_for(world.coord_c1)
        for i in range(2):
            assert busy.get("/api/v1/me/", REMOTE_ADDR=f"192.0.2.{i}").status_code == 200
        _assert_throttled(busy.get("/api/v1/me/", REMOTE_ADDR="192.0.2.50"))

    def test_anonymous_requests_are_counted_per_address(self, client, db, throttle_rates):
        throttle_rates(anon="2/min")
        for _ in range(2):
            client.post("/api/v1/auth/token/refresh/", {"refresh": "x"}, content_type="application/json",
                        REMOTE_ADDR="192.0.2.1")
        _assert_throttled(client.post("/api/v1/auth/token/refresh/", {"refresh": "x"},
                                      content_type="application/json", REMOTE_ADDR="192.0.2.1"))
        response = client.post("/api/v1/auth/token/refresh/", {"refresh": "x"},
                               content_type="application/json", REMOTE_ADDR="192.0.2.2")
        assert response.status_code == 401


class TestSlidingWindow:
    """The member and anonymous throttles count per window (api/throttling.py): the rate over
    any last minute, without a list of request times read and written back per request."""

    @pytest.fixture
    def clock(self, monkeypatch):
        now = {"t": 6_000_000.0}  # the start of a window of 60 s
        monkeypatch.setattr(MemberRateThrottle, "timer", lambda self: now["t"])
        return now

    @staticmethod
    def ask(member, view=None):
        request = type("Request", (), {"user": member, "META": {}})()
        throttle = MemberRateThrottle()
        return throttle.allow_request(request, view), throttle

    def test_the_rate_holds_over_a_window_that_slides(self, world, throttle_rates, clock):
        throttle_rates(user="10/min")
        clock["t"] += 50  # ten requests late in one window
        assert all(self.ask(world.member_v1a)[0] for _ in range(10))
        allowed, throttle = self.ask(world.member_v1a)
        # free once the window has ended and a tenth of its ten has faded (6 s into the next)
        assert not allowed and throttle.wait() == pytest.approx(16.0)
        clock["t"] += 15  # 5 s into the next: 55 of the last 60 s still hold all ten
        allowed, throttle = self.ask(world.member_v1a)
        assert not allowed and throttle.wait() == pytest.approx(1.0)
        clock["t"] += 1  # a tenth of them has faded: one more fits, not two
        assert self.ask(world.member_v1a)[0] and not self.ask(world.member_v1a)[0]
        clock["t"] += 120  # two quiet minutes later the whole rate is free again
        assert all(self.ask(world.member_v1a)[0] for _ in range(10))
        assert not self.ask(world.member_v1a)[0]

    def test_a_refused_request_is_not_counted(self, world, throttle_rates, clock):
        throttle_rates(user="2/min")
        assert self.ask(world.member_v1a)[0] and self.ask(world.member_v1a)[0]
        for _ in range(50):  # knocking on does not keep the lock up
            assert not self.ask(world.member_v1a)[0]
        clock["t"] += 120
        assert self.ask(world.member_v1a)[0]

    def test_the_cache_holds_a_counter_not_a_list_of_times(self, world, throttle_rates, clock):
        from django.core.cache import cache

        throttle_rates(user="600/min")
        for _ in range(300):
            _allowed, throttle = self.ask(world.member_v1a)
        assert cache.get(f"{throttle.key}:{int(clock['t'] // 60)}") == 300

    def test_requests_arriving_together_never_pass_the_rate(self, world, throttle_rates):
        import threading

        throttle_rates(user="10/min")
        barrier, allowed = threading.Barrier(8), []

        def burst():
            barrier.wait()
            for _ in range(5):
                allowed.append(self.ask(world.member_v1a)[0])

        threads = [threading.Thread(target=burst) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert allowed.count(True) == 10 and len(allowed) == 40

    def test_concurrent_requests_are_all_counted(self, world, throttle_rates):
        import threading

        throttle_rates(user="1000/min")
        barrier = threading.Barrier(8)

        def burst():
            barrier.wait()
            for _ in range(25):
                self.ask(world.member_v1a)

        threads = [threading.Thread(target=burst) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        _allowed, throttle = self.ask(world.member_v1a)
        from django.core.cache import cache

        window = int(throttle.now // 60)
        assert cache.get(f"{throttle.key}:{window}", 0) + cache.get(f"{throttle.key}:{window - 1}", 0) == 201


def _views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_api_view_is_throttled():
    """Holds for endpoints added later: a view that drops the throttles fails here."""
    checked = 0
    for route, callback in _views():
        cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if not (isinstance(cls, type) and issubclass(cls, APIView)):
            continue
        checked += 1
        kinds = set(cls.throttle_classes)
        if route == "api/v1/auth/token/":
            assert {LoginPhoneThrottle, LoginAddressThrottle} <= kinds, route
        elif route == "api/v1/auth/register/":  # throttled like login, its phones counted apart
            assert {throttling.RegisterPhoneThrottle, LoginAddressThrottle} <= kinds, route
        else:
            assert {MemberRateThrottle, throttling.AnonymousRateThrottle} <= kinds, route
    assert checked >= 6


class TestRedisCache:
    """The same throttle with the counters in Redis (as in production)."""

    @pytest.fixture
    def redis_cache(self, settings):
        import os

        import redis

        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip(f"needs Redis at {url} (set TEST_REDIS_URL)")
        prefix = f"test-{uuid.uuid4().hex}"
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": url, "KEY_PREFIX": prefix}}
        yield redis.Redis.from_url(url), prefix
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)

    def test_member_throttle_counts_in_redis(self, client_for, world, throttle_rates, redis_cache):
        server, prefix = redis_cache
        throttle_rates(user="2/min")
        busy = client_for(world.coord_c1)
        assert busy.get("/api/v1/me/").status_code == 200 and busy.get("/api/v1/me/").status_code == 200
        _assert_throttled(busy.get("/api/v1/me/"))
        counters = [key for key in server.scan_iter(f"{prefix}:*") if b"throttle_user" in key]
        assert counters and int(server.get(counters[0])) == 2  # one integer, taken with INCR

    def test_login_throttle_counts_in_redis(self, world, login, throttle_rates, redis_cache):
        server, prefix = redis_cache
        throttle_rates(login_phone="1/min")
        assert login(world.member_v1a.phone, password="wrong").status_code == 401
        _assert_throttled(login(world.member_v1a.phone))
        keys = [key.decode() for key in server.scan_iter(f"{prefix}:*")]
        assert any("login_phone" in key for key in keys)
        assert not any(world.member_v1a.phone[3:] in key for key in keys)
