"""Accounts in the console: a coordinator resets a member's password and lifts a login lock
(the API's services and rules), everyone changes their own password."""
import pytest

from tests.factories import PASSWORD

from .conftest import text

pytestmark = pytest.mark.django_db

NEW = "mat-khau-moi-2026-dai"


def test_a_coordinator_gives_a_member_a_new_password(world, browse):
    client = browse(world.coord_c1)
    listing = text(client.get("/console/members/"))
    assert f'href="/console/members/{world.member_v1a.pk}/password/"' in listing
    assert f'href="/console/members/{world.member_v2a.pk}/password/"' not in listing
    page = text(client.get(f"/console/members/{world.member_v1a.pk}/password/"))
    assert f"Mật khẩu mới cho {world.member_v1a.full_name}" in page
    response = client.post(f"/console/members/{world.member_v1a.pk}/password/", {"new_password": NEW, "again": NEW})
    assert response.status_code == 302 and response["Location"] == "/console/members/"
    world.member_v1a.refresh_from_db()
    assert world.member_v1a.check_password(NEW) and not world.member_v1a.check_password(PASSWORD)


@pytest.mark.parametrize("lang, message", [(None, "Hai mật khẩu không giống nhau."),
                                           ("en", "The two passwords are not the same.")])
def test_two_different_passwords_are_a_form_error(world, browse, lang, message):
    response = browse(world.coord_c1, lang=lang).post(f"/console/members/{world.member_v1a.pk}/password/",
                                                      {"new_password": NEW, "again": NEW + "x"})
    assert response.status_code == 400 and message in text(response)
    world.member_v1a.refresh_from_db()
    assert world.member_v1a.check_password(PASSWORD)


@pytest.mark.parametrize("lang, message", [(None, "Mật khẩu này quá ngắn"), ("en", "This password is too short")])
def test_a_weak_password_is_the_validators_message_in_both_languages(world, browse, lang, message):
    response = browse(world.coord_c1, lang=lang).post(f"/console/members/{world.member_v1a.pk}/password/",
                                                      {"new_password": "abc", "again": "abc"})
    assert response.status_code == 400 and message in text(response)


def test_a_sibling_communes_member_is_the_404_page(world, browse):
    client = browse(world.coord_c1)
    assert client.get(f"/console/members/{world.member_v2a.pk}/password/").status_code == 404
    assert client.post(f"/console/members/{world.member_v2a.pk}/password/",
                       {"new_password": NEW, "again": NEW}).status_code == 404
    assert client.post(f"/console/members/{world.member_v2a.pk}/unlock/").status_code == 404
    world.member_v2a.refresh_from_db()
    assert world.member_v2a.check_password(PASSWORD)


def test_a_member_gets_the_403_page(world, browse):
    client = browse(world.member_v1a)
    assert client.get(f"/console/members/{world.member_v1a_2.pk}/password/").status_code == 403
    assert client.post(f"/console/members/{world.member_v1a_2.pk}/unlock/").status_code == 403


def test_a_coordinator_cannot_reset_someone_above_them(world, browse):
    # coord_v1a sees their commune coordinator (a teammate above) but does not reach them.
    response = browse(world.coord_v1a, lang="en").post(f"/console/members/{world.member_v1a.pk}/password/",
                                                        {"new_password": NEW, "again": NEW})
    assert response.status_code == 302  # inside their village
    response = browse(world.coord_v1a).post(f"/console/members/{world.coord_c1.pk}/password/",
                                            {"new_password": NEW, "again": NEW})
    assert response.status_code in (403, 404)
    world.coord_c1.refresh_from_db()
    assert world.coord_c1.check_password(PASSWORD)


def test_unlock_lifts_the_lock_on_failed_logins(world, browse, settings):
    client = browse(world.coord_c1)
    response = client.post(f"/console/members/{world.member_v1a.pk}/unlock/", follow=True)
    assert response.status_code == 200
    assert f"{world.member_v1a.full_name} giờ có thể thử đăng nhập lại." in text(response)


def test_everyone_changes_their_own_password_and_stays_logged_in(world, browse):
    client = browse(world.member_v1a)
    response = client.post("/console/me/password/", {"old_password": PASSWORD, "new_password": NEW, "again": NEW})
    assert response.status_code == 302
    world.member_v1a.refresh_from_db()
    assert world.member_v1a.check_password(NEW)
    assert client.get("/console/mine/").status_code == 200  # this browser's session goes on


@pytest.mark.parametrize("lang, message", [(None, "Mật khẩu hiện tại"), ("en", "The current password is wrong.")])
def test_a_wrong_current_password_is_refused(world, browse, lang, message):
    response = browse(world.member_v1a, lang=lang).post("/console/me/password/", {
        "old_password": "sai-mat-khau", "new_password": NEW, "again": NEW})
    assert response.status_code == 400 and message in text(response)
    world.member_v1a.refresh_from_db()
    assert world.member_v1a.check_password(PASSWORD)
