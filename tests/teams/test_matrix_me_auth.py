"""Who may use /api/v1/me/ and the auth endpoints (columns: see ROLES)."""
import pytest
from django.db import transaction
from rest_framework.test import APIClient

from tests.factories import PASSWORD

from .conftest import ROLES, run_matrix

ME = "/api/v1/me/"

ME_REQUESTS = {
    "retrieve": lambda w: ("get", ME, None),
    "update": lambda w: ("patch", ME, {"full_name": "Tên Mới"}),
    "replace": lambda w: ("put", ME, {"full_name": "Tên Mới"}),
    "create": lambda w: ("post", ME, {"full_name": "Tên Mới"}),
    "delete": lambda w: ("delete", ME, None),
}

# action     anonymous member observer coord_team coord_sibling coord_above coord_below superuser
ME_MATRIX = [
    ("retrieve", 401, 200, 200, 200, 200, 200, 200, 200),
    ("update",   401, 200, 200, 200, 200, 200, 200, 200),
    ("replace",  401, 405, 405, 405, 405, 405, 405, 405),
    ("create",   401, 405, 405, 405, 405, 405, 405, 405),
    ("delete",   401, 405, 405, 405, 405, 405, 405, 405),
]


@pytest.mark.parametrize("action,expected", [(r[0], r[1:]) for r in ME_MATRIX], ids=[r[0] for r in ME_MATRIX])
def test_me_permission_matrix(world, client_for, action, expected):
    run_matrix(world, client_for, ME_REQUESTS[action], expected)


def _credentials(member):
    # anonymous tries a made-up account
    return {"phone": member.phone if member else "0900000001", "password": PASSWORD}


def _refresh_for(member):
    client = APIClient()
    if member is None:
        return "not-a-token"
    return client.post("/api/v1/auth/token/", _credentials(member), format="json").json()["refresh"]


AUTH_REQUESTS = {
    "token": lambda m: ("post", "/api/v1/auth/token/", _credentials(m)),
    "token_get": lambda m: ("get", "/api/v1/auth/token/", None),
    "refresh": lambda m: ("post", "/api/v1/auth/token/refresh/", {"refresh": _refresh_for(m)}),
    "logout": lambda m: ("post", "/api/v1/auth/logout/", {"refresh": _refresh_for(m)}),
    "logout_get": lambda m: ("get", "/api/v1/auth/logout/", None),
}

# Every role logs in with its own phone and password; "anonymous" is someone with no account.
AUTH_MATRIX = [
    ("token",      401, 200, 200, 200, 200, 200, 200, 200),
    ("token_get",  405, 405, 405, 405, 405, 405, 405, 405),
    ("refresh",    401, 200, 200, 200, 200, 200, 200, 200),
    ("logout",     401, 204, 204, 204, 204, 204, 204, 204),
    ("logout_get", 405, 405, 405, 405, 405, 405, 405, 405),
]


@pytest.mark.parametrize("action,expected", [(r[0], r[1:]) for r in AUTH_MATRIX], ids=[r[0] for r in AUTH_MATRIX])
def test_auth_matrix(world, action, expected):
    actual = {}
    for role, attr in ROLES.items():
        member = getattr(world, attr) if attr else None
        with transaction.atomic():
            method, url, body = AUTH_REQUESTS[action](member)
            client = APIClient()
            response = getattr(client, method)(url, body, format="json") if body is not None \
                else getattr(client, method)(url)
            actual[role] = response.status_code
            if response.status_code >= 400:
                assert {"status", "code", "detail"} <= set(response.json())
            transaction.set_rollback(True)
    assert actual == dict(zip(ROLES, expected))


def test_inactive_members_cannot_log_in_or_use_a_token_they_had(world, client):
    tokens = client.post("/api/v1/auth/token/", _credentials(world.member_v1a), format="json").json()
    world.member_v1a.is_active = False
    world.member_v1a.save()
    assert client.post("/api/v1/auth/token/", _credentials(world.member_v1a),
                       format="json").status_code == 401
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {tokens['access']}").status_code == 401
    assert client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]},
                       content_type="application/json").status_code == 401
