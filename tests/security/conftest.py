import pytest
from django.core.cache import cache

from tests.factories import PASSWORD

LOGIN_URL = "/api/v1/auth/token/"
UNLIMITED = "1000000/s"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The world fixture hashes a dozen passwords and these tests log in a lot; the
    production hasher (PBKDF2, a million rounds) would make each test take seconds.
    What is tested here is who may log in and how often, not the hash function."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counters start at zero in every test here, whatever ran before."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def throttle_rates(settings):
    """Every scope unlimited unless a test asks for a rate: `throttle_rates(login_phone="3/min")`.

    Autouse so these tests do not depend on the THROTTLE_* variables of the run.
    """

    def apply(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                "user": UNLIMITED, "anon": UNLIMITED,
                "login_phone": UNLIMITED, "login_address": UNLIMITED,
                **rates,
            },
        }

    apply()
    return apply


@pytest.fixture
def login(client):
    """POST phone/password to the token endpoint from a given client address."""

    def post(phone, password=PASSWORD, address="203.0.113.10", **headers):
        return client.post(LOGIN_URL, {"phone": phone, "password": password},
                           content_type="application/json", REMOTE_ADDR=address, **headers)

    return post
