import pytest

from tests.factories import PASSWORD

LOGIN_URL = "/api/v1/auth/token/"
UNLIMITED = "1000000/s"


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
