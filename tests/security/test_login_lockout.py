"""Login throttling that a stranger cannot turn against a member (issue 10, point 4).

With the DEFAULT rates (`make test` lifts every throttle, so each test here sets
the defaults of api/settings/rest.py itself):
- guessing one phone: at most 10 wrong tries an hour, from all addresses together;
- the owner still logs in at once from a device that logged in before (its
  `device` proof, its refresh token, or the `login_device` cookie);
- a coordinator in scope lifts the lock;
- 200 members logging in from one address within 10 minutes all succeed:
  successes never count against an address.
"""
import pytest
from rest_framework.test import APIClient

from api.login import DEVICE_COOKIE, device_token
from api.throttling import LoginAddressThrottle, LoginDeviceThrottle, LoginPhoneThrottle
from tests.factories import PASSWORD, MemberFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/token/"
DEFAULTS = {"user": "600/min", "anon": "60/min", "login_phone": "10/hour", "login_address": "30/min"}


@pytest.fixture
def default_rates(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": dict(DEFAULTS)}


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000.0]
    for cls in (LoginAddressThrottle, LoginPhoneThrottle, LoginDeviceThrottle):
        monkeypatch.setattr(cls, "timer", lambda self: now[0])
    return now


def login(phone, password=PASSWORD, address="203.0.113.10", client=None, **extra):
    client = client or APIClient()
    return client.post(LOGIN, {"phone": phone, "password": password, **extra}, format="json", REMOTE_ADDR=address)


def test_these_are_the_defaults_of_the_settings():
    from api.settings import rest

    assert rest.THROTTLE_DEFAULTS == DEFAULTS


def test_200_members_logging_in_from_one_address_within_10_minutes_all_succeed(world, default_rates, clock):
    people = MemberFactory.create_batch(200)
    for i, person in enumerate(people):
        clock[0] += 3  # 200 logins over 10 minutes
        response = login(person.phone, address="198.51.100.7")
        assert response.status_code == 200, (i, response.content)


def test_a_few_typos_among_them_do_not_hold_the_others_up(world, default_rates, clock):
    people = MemberFactory.create_batch(60)
    for i, person in enumerate(people):
        if i % 3 == 0:
            assert login(person.phone, password="typo-typo-1", address="198.51.100.7").status_code == 401
        assert login(person.phone, address="198.51.100.7").status_code == 200, i


def test_one_phone_takes_10_wrong_tries_an_hour_from_all_addresses_together(world, default_rates, clock):
    phone = world.member_v1a.phone
    for i in range(10):
        clock[0] += 60
        assert login(phone, password=f"guess-{i}", address=f"192.0.2.{i}").status_code == 401
    # The 11th try is refused whatever it holds and wherever it comes from.
    for address in ("192.0.2.200", "198.51.100.1"):
        refused = login(phone, address=address)
        assert refused.status_code == 429 and refused.json()["code"] == "throttled"
        assert 0 < int(refused["Retry-After"]) <= 3600
    # Refused tries do not keep the lock up: an hour after the last wrong try it is over.
    clock[0] += 3600 - 60
    assert login(phone, password="guess-again", address="192.0.2.201").status_code == 429
    clock[0] += 61
    assert login(phone, address="192.0.2.202").status_code == 200


def test_the_owner_logs_in_at_once_from_a_device_that_logged_in_before(world, default_rates, clock):
    phone = world.member_v1a.phone
    first = login(phone).json()
    assert first["device"]
    for i in range(12):
        login(phone, password=f"stranger-{i}", address=f"192.0.2.{i}")
    assert login(phone).status_code == 429  # a new device waits...
    # ...the owner's phone does not: with its device proof, its refresh token or the cookie.
    assert login(phone, device=first["device"]).status_code == 200
    assert login(phone, refresh=first["refresh"]).status_code == 200
    browser = APIClient()
    browser.cookies[DEVICE_COOKIE] = first["device"]
    assert login(phone, client=browser).status_code == 200


def test_a_known_device_is_not_held_up_by_failures_from_the_same_shared_address(world, default_rates, clock):
    proof = login(world.member_v1a.phone, address="100.64.0.1").json()["device"]
    for i in range(40):  # someone on the carrier's shared address sprays passwords over many phones
        login(f"+8490555{i:04d}", password=f"spray-{i}", address="100.64.0.1")
    assert login(world.coord_c1.phone, address="100.64.0.1").status_code == 429
    assert login(world.member_v1a.phone, address="100.64.0.1", device=proof).status_code == 200


def test_a_known_device_still_gets_only_10_wrong_tries(world, default_rates, clock):
    proof = login(world.member_v1a.phone).json()["device"]
    for i in range(10):
        assert login(world.member_v1a.phone, password=f"typo-{i}", device=proof).status_code == 401
    assert login(world.member_v1a.phone, device=proof).status_code == 429
    # ...and its failures are its own: other devices of the owner are not locked by them.
    assert login(world.member_v1a.phone, address="192.0.2.50").status_code == 200


@pytest.mark.parametrize("proof", ["forged", "other_person", "garbage_refresh"])
def test_a_proof_that_is_not_the_owners_is_ignored(world, default_rates, clock, proof):
    phone = world.member_v1a.phone
    for i in range(10):
        login(phone, password=f"stranger-{i}", address=f"192.0.2.{i}")
    extra = {
        "forged": {"device": device_token(world.member_v1a.pk)[:-4] + "abcd"},
        "other_person": {"device": login(world.member_v1b.phone, address="192.0.2.99").json()["device"]},
        "garbage_refresh": {"refresh": "not-a-token"},
    }[proof]
    assert login(phone, **extra).status_code == 429


def test_a_coordinator_in_scope_lifts_the_lock(world, default_rates, clock, client_for):
    phone = world.member_v1a.phone
    for i in range(10):
        login(phone, password=f"stranger-{i}", address=f"192.0.2.{i}")
    assert login(phone).status_code == 429
    assert client_for(world.coord_c2).post(f"/api/v1/members/{world.member_v1a.pk}/unlock/").status_code == 404
    assert client_for(world.coord_v1a).post(f"/api/v1/members/{world.member_v1a.pk}/unlock/").status_code == 204
    assert login(phone).status_code == 200


def test_a_password_reset_lifts_the_lock_too(world, default_rates, clock, client_for):
    phone = world.member_v1a.phone
    for i in range(10):
        login(phone, password=f"stranger-{i}", address=f"192.0.2.{i}")
    response = client_for(world.coord_c1).post(f"/api/v1/members/{world.member_v1a.pk}/set-password/",
                                               {"new_password": "a-new-river-lantern-77"}, format="json")
    assert response.status_code == 204
    assert login(phone, password="a-new-river-lantern-77").status_code == 200


def test_the_address_counts_failures_only(world, default_rates, clock):
    for i in range(30):
        assert login(f"+8490555{i:04d}", password=f"x-{i}", address="192.0.2.77").status_code == 401
    assert login(world.coord_c1.phone, address="192.0.2.77").status_code == 429
    assert login(world.coord_c1.phone, address="192.0.2.78").status_code == 200
    clock[0] += 61
    assert login(world.coord_c1.phone, address="192.0.2.77").status_code == 200


def test_parallel_guesses_cannot_take_more_than_the_allowance(world, default_rates, clock):
    # Slots are taken before the password is checked: ten guesses in flight fill the allowance.
    from types import SimpleNamespace

    attempt = SimpleNamespace(data={"phone": world.member_v1a.phone}, META={"REMOTE_ADDR": "192.0.2.1"})
    throttles = [LoginPhoneThrottle() for _ in range(11)]
    allowed = [t.allow_request(attempt, None) for t in throttles]
    assert allowed == [True] * 10 + [False]
    for t in throttles[:10]:
        t.failed()
    assert not LoginPhoneThrottle().allow_request(attempt, None)
