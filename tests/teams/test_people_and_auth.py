"""Phones as logins, createsuperuser, JWT token/refresh/logout and /me."""
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from teams.models import Member
from teams.phones import normalize_phone
from tests.factories import PASSWORD, MemberFactory

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"


@pytest.mark.parametrize("raw", ["0912345678", "+84912345678", "84912345678", "091 234 5678",
                                 "0912.345.678", " +84 91 234 56 78 "])
def test_spellings_of_one_number_are_one_e164(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["", "   ", "abc", "12", "0912", "091234567890123", "+1", "0" * 40, None, 912345678])
def test_invalid_phones_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_foreign_numbers_keep_their_country():
    assert normalize_phone("+33 6 12 34 56 78") == "+33612345678"


def test_both_spellings_log_in_and_wrong_password_does_not(db, client):
    MemberFactory(phone="+84912345678")
    for spelling in ["0912345678", "+84912345678", "0912 345 678"]:
        response = client.post(TOKEN, {"phone": spelling, "password": PASSWORD}, content_type="application/json")
        assert response.status_code == 200, (spelling, response.content)
        assert set(response.json()) >= {"access", "refresh"}
    response = client.post(TOKEN, {"phone": "0912345678", "password": "wrong"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["status"] == 401
    response = client.post(TOKEN, {"phone": "not a phone", "password": "x"}, content_type="application/json")
    assert response.status_code == 401
    response = client.post(TOKEN, {"phone": "0912345678"}, content_type="application/json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


@pytest.mark.parametrize("phone,code", [("0912345678", 400), ("+84912345678", 400), ("84 912 345 678", 400),
                                        ("12345", 400), ("", 400), ("0912345679", 201)])
def test_member_create_refuses_duplicates_in_any_spelling_and_invalid_phones(world, client_for, phone, code):
    MemberFactory(phone="+84912345678")
    count = Member.objects.count()
    response = client_for(world.coord_c1).post("/api/v1/members/", {
        "phone": phone, "full_name": "Người Trùng", "password": "a-long-Pass-2026!",
        "team": world.v1a.pk, "role": "member"}, format="json")
    assert response.status_code == code, response.content
    if code == 400:
        assert "phone" in response.json()["errors"]
        assert Member.objects.count() == count


def test_changing_a_phone_to_anothers_number_is_refused(world, client_for):
    other = "0" + world.member_v1a_2.phone[3:]
    response = client_for(world.coord_c1).patch(f"/api/v1/members/{world.member_v1a.pk}/", {"phone": other},
                                                format="json")
    assert response.status_code == 400
    assert "phone" in response.json()["errors"]
    world.member_v1a.refresh_from_db()
    assert world.member_v1a.phone != world.member_v1a_2.phone


def test_create_user_normalises_and_refuses_duplicates(db):
    from django.db import IntegrityError, transaction

    member = Member.objects.create_user("0912345678", "pw-123456789", full_name="A")
    assert member.phone == "+84912345678"
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create_user("+84 912 345 678", "pw-123456789", full_name="B")


def test_createsuperuser_noinput_reads_the_environment(db, monkeypatch, client):
    monkeypatch.setenv("DJANGO_SUPERUSER_PHONE", "0912345670")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an-admin-Pass-2026")
    monkeypatch.setenv("DJANGO_SUPERUSER_FULL_NAME", "Quản Trị Viên")
    call_command("createsuperuser", "--noinput", verbosity=0)
    admin = Member.objects.get()
    assert (admin.phone, admin.full_name, admin.is_superuser, admin.is_staff) == (
        "+84912345670", "Quản Trị Viên", True, True)
    response = client.post(TOKEN, {"phone": "0912345670", "password": "an-admin-Pass-2026"},
                           content_type="application/json")
    assert response.status_code == 200


def _login(client, member):
    response = client.post(TOKEN, {"phone": member.phone, "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_refresh_rotates_and_the_used_token_stops_working(world, client):
    tokens = _login(client, world.member_v1a)
    response = client.post(REFRESH, {"refresh": tokens["refresh"]}, content_type="application/json")
    assert response.status_code == 200
    fresh = response.json()
    assert fresh["access"] and fresh["refresh"] and fresh["refresh"] != tokens["refresh"]
    response = client.post(REFRESH, {"refresh": tokens["refresh"]}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert client.post(REFRESH, {"refresh": fresh["refresh"]}, content_type="application/json").status_code == 200
    me = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {fresh['access']}")
    assert me.status_code == 200 and me.json()["id"] == world.member_v1a.pk


def test_logout_blacklists_the_refresh_token(world, client):
    tokens = _login(client, world.member_v1a)
    response = client.post(LOGOUT, {"refresh": tokens["refresh"]}, content_type="application/json")
    assert response.status_code == 204
    response = client.post(REFRESH, {"refresh": tokens["refresh"]}, content_type="application/json")
    assert response.status_code == 401
    assert client.post(LOGOUT, {"refresh": tokens["refresh"]}, content_type="application/json").status_code == 401
    assert client.post(LOGOUT, {"refresh": "garbage"}, content_type="application/json").status_code == 401
    assert client.post(LOGOUT, {}, content_type="application/json").status_code == 400


def test_bad_or_missing_tokens_are_401_in_the_error_shape(world, client):
    for header in [{}, {"HTTP_AUTHORIZATION": "Bearer nonsense"}, {"HTTP_AUTHORIZATION": "Basic abc"}]:
        response = client.get(ME, **header)
        assert response.status_code == 401
        assert set(response.json()) >= {"status", "code", "detail"}
    tokens = _login(client, world.member_v1a)
    response = client.get(ME, HTTP_AUTHORIZATION=f"Bearer {tokens['refresh']}")
    assert response.status_code == 401  # a refresh token is not an access token


def test_me_shows_the_caller_with_memberships(world, client_for):
    from tests.factories import MembershipFactory

    MembershipFactory(member=world.coord_v1a, team=world.v1b, role="member")
    body = client_for(world.coord_v1a).get(ME).json()
    assert body["id"] == world.coord_v1a.pk and body["phone"] == world.coord_v1a.phone
    assert body["full_name"] == "Võ Văn Thôn"
    assert sorted((m["team"]["id"], m["role"]) for m in body["memberships"]) == sorted(
        [(world.v1a.pk, "coordinator"), (world.v1b.pk, "member")])
    assert all(set(m) >= {"id", "team", "role"} for m in body["memberships"])
    assert client_for(None).get(ME).status_code == 401


def test_patch_me_keeps_vietnamese_text_exactly(world, client_for):
    name = "Nguyễn Thị Ánh Tuyết"
    response = client_for(world.member_v1a).patch(ME, {"full_name": name}, format="json")
    assert response.status_code == 200 and response.json()["full_name"] == name
    assert client_for(world.member_v1a).patch(ME, {"full_name": ""}, format="json").status_code == 400
    assert client_for(world.member_v1a).patch(ME, {"full_name": "x" * 151}, format="json").status_code == 400
