"""Logging in to the console: phone and password, the API's throttles, CSRF, expiry, logout, language."""
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.factories import PASSWORD

from .conftest import text

pytestmark = pytest.mark.django_db
LOGIN = "/console/login/"


def rates(settings, **asked):
    unlimited = "1000000/s"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "user": unlimited, "anon": unlimited, "login_phone": unlimited, "login_address": unlimited, **asked}}


def test_a_page_without_a_session_sends_to_the_login_page_and_back(world, browse):
    client = browse()
    response = client.get("/console/review/")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=%2Fconsole%2Freview%2F"
    page = client.get(response["Location"])
    assert "Đăng nhập" in text(page) and 'name="password"' in text(page)
    response = client.post(LOGIN, {"phone": world.coord_c1.phone, "password": PASSWORD, "next": "/console/review/"})
    assert response.status_code == 302 and response["Location"] == "/console/review/"
    assert client.get("/console/review/").status_code == 200


def test_either_spelling_of_the_phone_logs_in(world, browse):
    local = "0" + world.member_v1a.phone[3:]
    response = browse().post(LOGIN, {"phone": local, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/console/"


def test_next_never_leaves_the_console(world, browse):
    response = browse().post(LOGIN, {"phone": world.member_v1a.phone, "password": PASSWORD,
                                     "next": "https://evil.example/console/"})
    assert response["Location"] == "/console/"


@pytest.mark.parametrize("lang, message", [
    (None, "Số điện thoại hoặc mật khẩu không đúng."),
    ("en", "The phone number or the password is wrong."),
])
def test_a_wrong_password_is_told_in_the_persons_language(world, browse, lang, message):
    response = browse(lang=lang).post(LOGIN, {"phone": world.member_v1a.phone, "password": "wrong-guess"})
    assert response.status_code == 400
    assert message in text(response)
    assert "_auth_user_id" not in response.wsgi_request.session


def test_an_empty_form_names_the_missing_fields_in_english_too(world, browse):
    response = browse(lang="en").post(LOGIN, {"phone": "", "password": ""})
    assert response.status_code == 400
    assert text(response).count("This field is required.") == 2


def test_a_deactivated_member_cannot_log_in(world, browse):
    response = browse().post(LOGIN, {"phone": world.inactive_v1a.phone, "password": PASSWORD})
    assert response.status_code == 400


def test_console_and_api_attempts_share_the_phone_throttle(world, browse, client, settings):
    rates(settings, login_phone="2/min")
    phone = world.member_v1a.phone
    api = client.post("/api/v1/auth/token/", {"phone": phone, "password": "wrong"}, content_type="application/json")
    assert api.status_code == 401
    assert browse().post(LOGIN, {"phone": phone, "password": "wrong-again"}).status_code == 400
    # The third attempt, right password and all, waits: from the console...
    response = browse(lang="en").post(LOGIN, {"phone": phone, "password": PASSWORD})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many login attempts. Try again in 1 minutes." in text(response)
    assert "_auth_user_id" not in response.wsgi_request.session
    # ...and from the API.
    api = client.post("/api/v1/auth/token/", {"phone": phone, "password": PASSWORD}, content_type="application/json")
    assert api.status_code == 429


def test_the_address_throttle_counts_console_logins(world, browse, settings):
    rates(settings, login_address="1/min")
    assert browse().post(LOGIN, {"phone": world.member_v1a.phone, "password": "x"}).status_code == 400
    response = browse().post(LOGIN, {"phone": world.member_v1b.phone, "password": PASSWORD})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in text(response)


def test_every_form_carries_a_csrf_token_and_a_post_without_it_is_the_403_page(world, work, browse):
    client = browse(world.member_v1a_2, csrf=True)
    page = text(client.get(f"/console/mine/{work.todo.pk}/"))
    assert page.count('name="csrfmiddlewaretoken"') == page.count("<form")
    response = client.post(f"/console/mine/{work.todo.pk}/decline/", {"reason": "Ốm"})
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in text(response)
    work.todo.refresh_from_db()
    assert work.todo.status == "assigned"
    token = client.cookies["csrftoken"].value
    response = client.post(f"/console/mine/{work.todo.pk}/decline/", {"reason": "Ốm", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    work.todo.refresh_from_db()
    assert work.todo.status == "declined"


@pytest.mark.parametrize("who, url", [
    ("coord_c1", "/console/review/"), ("coord_c1", "/console/tasks/new/"), ("coord_c1", "/console/members/"),
    ("coord_c1", "/console/campaigns/new/"), ("coord_c1", "/console/members/new/"), ("member_v1a", "/console/mine/"),
])
def test_every_form_of_the_main_pages_carries_the_token(world, work, browse, who, url):
    page = text(browse(getattr(world, who)).get(url))
    assert page.count("<form") >= 2  # the page's own forms besides the header's
    assert page.count('name="csrfmiddlewaretoken"') == page.count("<form")


def test_the_login_form_itself_needs_its_csrf_token(world, browse):
    client = browse(csrf=True)
    response = client.post(LOGIN, {"phone": world.member_v1a.phone, "password": PASSWORD})
    assert response.status_code == 403
    client.get(LOGIN)
    response = client.post(LOGIN, {"phone": world.member_v1a.phone, "password": PASSWORD,
                                   "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302


def test_a_session_lasts_the_configured_time_then_says_it_expired(world, browse, settings):
    client = browse()
    client.post(LOGIN, {"phone": world.coord_c1.phone, "password": PASSWORD})
    session = Session.objects.get()
    assert abs((session.expire_date - timezone.now()) - timedelta(seconds=settings.CONSOLE_SESSION_SECONDS)) \
        < timedelta(minutes=1)
    assert client.get("/console/tasks/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/console/tasks/")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=%2Fconsole%2Ftasks%2F&expired=1"
    assert "Phiên làm việc đã hết hạn" in text(client.get(response["Location"]))


def test_a_post_after_expiry_changes_nothing(world, work, browse):
    client = browse()
    client.post(LOGIN, {"phone": world.member_v1a_2.phone, "password": PASSWORD})
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.post(f"/console/mine/{work.todo.pk}/decline/", {"reason": "Ốm"})
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")
    work.todo.refresh_from_db()
    assert work.todo.status == "assigned"


def test_a_deactivated_member_is_logged_out_at_once(world, browse):
    client = browse(world.member_v1a)
    assert client.get("/console/mine/").status_code == 200
    world.member_v1a.is_active = False
    world.member_v1a.save()
    assert client.get("/console/mine/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(world, browse):
    client = browse()
    client.post(LOGIN, {"phone": world.member_v1a.phone, "password": PASSWORD})
    assert client.get("/console/logout/").status_code == 405
    response = client.post("/console/logout/")
    assert response.status_code == 302 and response["Location"] == "/console/login/"
    assert Session.objects.count() == 0
    assert client.get("/console/mine/").status_code == 302


def test_vietnamese_by_default_and_english_by_the_switch(world, browse):
    client = browse(world.member_v1a)
    page = text(client.get("/console/mine/"))
    assert '<html lang="vi">' in page and "Việc của tôi" in page
    response = client.post("/console/language/", {"language": "en", "next": "/console/mine/"})
    assert response.status_code == 302 and response["Location"] == "/console/mine/"
    page = text(client.get("/console/mine/"))
    assert '<html lang="en">' in page and "My tasks" in page and "Việc của tôi" not in page
    client.post("/console/language/", {"language": "vi", "next": "/console/mine/"})
    assert "Việc của tôi" in text(client.get("/console/mine/"))
