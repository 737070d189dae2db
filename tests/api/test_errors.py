"""Whatever a client sends, a 4xx in the one error shape (never a 500), in vi or en."""
import pytest

SHAPE = {"status", "code", "detail"}


def assert_error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert SHAPE <= set(body), body
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if status == 400:
        assert isinstance(body["errors"], dict) and body["errors"]
        for field, messages in body["errors"].items():
            assert isinstance(field, str)
            assert messages and all(isinstance(m, str) for m in messages)
    return body


@pytest.mark.parametrize("url", ["/api/v1/teams/", "/api/v1/members/", "/api/v1/memberships/",
                                 "/api/v1/auth/token/", "/api/v1/auth/logout/"])
@pytest.mark.parametrize("payload", ['{"name": ', "not json", "[1, 2", '{"a": 1}}'])
def test_malformed_json_is_400(world, client_for, url, payload):
    response = client_for(world.superuser).post(url, payload, content_type="application/json")
    body = assert_error(response, 400)
    assert body["code"] == "parse_error"


def test_malformed_json_on_patch_me(world, client_for):
    assert_error(client_for(world.member_v1a).patch("/api/v1/me/", "{", content_type="application/json"), 400)


@pytest.mark.parametrize("url,body,field", [
    ("/api/v1/teams/", {"name": ["a"], "level": "village", "parent": "c1"}, "name"),
    ("/api/v1/teams/", {"name": "A", "level": 7, "parent": "c1"}, "level"),
    ("/api/v1/teams/", {"name": "A", "level": "village", "parent": "abc"}, "parent"),
    ("/api/v1/teams/", {"name": "A", "level": "village", "parent": {"id": 1}}, "parent"),
    ("/api/v1/teams/", {"name": "A", "level": "village", "parent": 99999999}, "parent"),
    ("/api/v1/teams/", {"name": "", "level": "village", "parent": "c1"}, "name"),
    ("/api/v1/teams/", {"name": "x" * 201, "level": "village", "parent": "c1"}, "name"),
    ("/api/v1/members/", {"phone": ["0912345678"], "full_name": "A", "password": "a-long-Pass-2026!",
                          "team": "c1", "role": "member"}, "phone"),
    ("/api/v1/members/", {"phone": "0912345678", "full_name": "A", "password": "a-long-Pass-2026!",
                          "team": "c1", "role": "boss"}, "role"),
    ("/api/v1/members/", {"phone": "0912345678", "full_name": "A", "password": "123",
                          "team": "c1", "role": "member"}, "password"),
    ("/api/v1/members/", {"phone": "0912345678", "full_name": "A", "password": "a-long-Pass-2026!",
                          "team": [1], "role": "member"}, "team"),
    ("/api/v1/memberships/", {"member": "me", "team": "c1", "role": "member"}, "member"),
    ("/api/v1/memberships/", {"member": None, "team": "c1", "role": "member"}, "member"),
    ("/api/v1/memberships/", [1, 2], "non_field_errors"),
])
def test_wrong_types_are_400_naming_the_field(world, client_for, url, body, field):
    def resolve(value):
        return world.c1.pk if value == "c1" else value

    if isinstance(body, dict):
        body = {k: resolve(v) for k, v in body.items()}
    response = client_for(world.coord_district).post(url, body, format="json")
    errors = assert_error(response, 400)["errors"]
    assert field in errors, errors


@pytest.mark.parametrize("url,params,field", [
    ("/api/v1/teams/", {"level": "xyz"}, "level"),
    ("/api/v1/teams/", {"within": "999999"}, "within"),
    ("/api/v1/teams/", {"within": "abc"}, "within"),
    ("/api/v1/teams/", {"parent": "abc"}, "parent"),
    ("/api/v1/teams/", {"search": "x" * 101}, "search"),
    ("/api/v1/members/", {"role": "king"}, "role"),
    ("/api/v1/members/", {"within": "999999"}, "within"),
    ("/api/v1/members/", {"team": "abc"}, "team"),
    ("/api/v1/members/", {"is_active": "perhaps"}, "is_active"),
    ("/api/v1/memberships/", {"role": "king"}, "role"),
    ("/api/v1/memberships/", {"member": "x"}, "member"),
    ("/api/v1/memberships/", {"within": "-1"}, "within"),
    ("/api/v1/teams/", {"page_size": "0"}, "page_size"),
    ("/api/v1/teams/", {"page_size": "201"}, "page_size"),
    ("/api/v1/teams/", {"page_size": "abc"}, "page_size"),
    ("/api/v1/members/", {"page_size": "-5"}, "page_size"),
    ("/api/v1/memberships/", {"page_size": "1e3"}, "page_size"),
])
def test_unknown_filter_values_and_page_sizes_are_400(world, client_for, url, params, field):
    response = client_for(world.coord_district).get(url, params)
    errors = assert_error(response, 400)["errors"]
    assert field in errors, errors


def test_within_a_team_outside_scope_is_like_a_missing_one(world, client_for):
    response = client_for(world.coord_c1).get("/api/v1/teams/", {"within": world.c2.pk})
    assert_error(response, 400)


def test_page_size_200_is_honoured_a_page_past_the_end_is_404_and_a_malformed_page_400(world, client_for):
    client = client_for(world.superuser)
    assert client.get("/api/v1/teams/", {"page_size": 200}).status_code == 200
    assert_error(client.get("/api/v1/teams/", {"page": 99}), 404)
    assert_error(client.get("/api/v1/teams/", {"page": "abc"}), 400)


@pytest.mark.parametrize("path", ["/api/v1/teams/999999/", "/api/v1/members/999999/",
                                  "/api/v1/memberships/999999/", "/api/v1/teams/abc/"])
def test_missing_objects_are_404_in_the_shape(world, client_for, path):
    assert_error(client_for(world.superuser).get(path), 404)


def test_unsupported_method_and_media_type(world, client_for):
    client = client_for(world.superuser)
    assert_error(client.put(f"/api/v1/teams/{world.c1.pk}/", {"name": "x"}, format="json"), 405)
    assert_error(client.post("/api/v1/teams/", "<a/>", content_type="application/xml"), 415)


def test_vietnamese_by_default_and_english_on_request(world, client_for):
    client = client_for(world.coord_c1)
    body = {"name": "", "level": "village", "parent": world.c1.pk}
    vi = assert_error(client.post("/api/v1/teams/", body, format="json"), 400)
    en = assert_error(client.post("/api/v1/teams/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert en["detail"] == "Invalid input."
    assert vi["detail"] == "Dữ liệu không hợp lệ."
    assert en["errors"]["name"] == ["This field may not be blank."]
    assert vi["errors"]["name"] == ["Trường này không được bỏ trống."]

    missing = f"/api/v1/teams/{world.c2.pk}/"
    assert assert_error(client.get(missing, HTTP_ACCEPT_LANGUAGE="en"), 404)["detail"] == "Not found."
    assert assert_error(client.get(missing), 404)["detail"] == "Không tìm thấy."
    assert assert_error(client.get(missing, HTTP_ACCEPT_LANGUAGE="vi"), 404)["detail"] == "Không tìm thấy."


def test_our_own_messages_are_translated(world, client_for):
    """Strings of this project (services, pagination) come from locale/vi."""
    client = client_for(world.superuser)
    en = client.delete(f"/api/v1/teams/{world.v1a.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    vi = client.delete(f"/api/v1/teams/{world.v1a.pk}/").json()["detail"]
    assert en == "This team cannot be deleted: it still has members."
    assert vi == "Không thể xoá đội này: đội vẫn còn thành viên."

    en = client.get("/api/v1/teams/", {"page_size": 0}, HTTP_ACCEPT_LANGUAGE="en").json()
    vi = client.get("/api/v1/teams/", {"page_size": 0}).json()
    assert en["errors"]["page_size"] == ["Must be between 1 and 200."]
    assert vi["errors"]["page_size"] == ["Phải nằm trong khoảng từ 1 đến 200."]

    body = {"name": "X", "level": "village", "parent": world.v1a.pk}
    en = client.post("/api/v1/teams/", body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    vi = client.post("/api/v1/teams/", body, format="json").json()
    assert en["errors"]["parent"] == ["The parent of a Village must be an area team of a higher level."]
    assert vi["errors"]["parent"] == ["Đội cấp trên của một Thôn phải là một đội địa bàn cấp cao hơn."]

    en = client_for(None).get("/api/v1/teams/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    vi = client_for(None).get("/api/v1/teams/").json()["detail"]
    assert en == "Authentication credentials were not provided."
    assert vi != en


def test_required_fields_in_both_languages(world, client_for):
    client = client_for(world.superuser)
    en = client.post("/api/v1/memberships/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    vi = client.post("/api/v1/memberships/", {}, format="json").json()
    assert en["errors"]["team"] == ["This field is required."]
    assert vi["errors"]["team"] == ["Trường này là bắt buộc."]


@pytest.mark.parametrize("value,expected", [("true", 9), ("false", 1), ("1", 9), ("0", 1), ("", 10)])
def test_is_active_filter_reads_booleans(world, client_for, value, expected):
    response = client_for(world.coord_district).get("/api/v1/members/", {"is_active": value})
    assert response.status_code == 200
    assert response.json()["count"] == expected


HUGE = 10**30


@pytest.mark.parametrize("method,url,body,status", [
    ("get", f"/api/v1/teams/{HUGE}/", None, 404),
    ("get", f"/api/v1/members/{HUGE}/", None, 404),
    ("get", f"/api/v1/memberships/{HUGE}/", None, 404),
    ("get", f"/api/v1/teams/?parent={HUGE}", None, 400),
    ("get", f"/api/v1/teams/?within={HUGE}", None, 400),
    ("get", f"/api/v1/members/?team={HUGE}", None, 400),
    ("get", f"/api/v1/memberships/?member={HUGE}", None, 400),
    ("get", "/api/v1/memberships/?team=1.5", None, 400),
    ("get", f"/api/v1/teams/?page={HUGE}", None, 404),
    ("get", f"/api/v1/teams/?page_size={HUGE}", None, 400),
    ("post", "/api/v1/teams/", {"name": "x", "level": "village", "parent": HUGE}, 400),
    ("post", "/api/v1/memberships/", {"member": HUGE, "team": 1, "role": "member"}, 400),
    ("post", "/api/v1/memberships/", {"member": 1.5, "team": True, "role": "member"}, 400),
    ("get", "/api/v1/teams/?search=%00abc", None, 400),
    ("post", "/api/v1/teams/", {"name": "x\x00y", "level": "village", "parent": 1}, 400),
    ("patch", "/api/v1/me/", {"full_name": "a\x00b"}, 400),
    ("post", "/api/v1/auth/token/", {"phone": "0912\x00", "password": "x"}, 400),
    ("post", "/api/v1/auth/token/", {"phone": ["a"], "password": {"x": 1}}, 400),
    ("post", "/api/v1/auth/token/refresh/", {"refresh": ["a"]}, 400),
    ("post", "/api/v1/auth/logout/", {"refresh": 12}, 401),
])
def test_hostile_values_are_4xx_on_both_databases(world, client_for, method, url, body, status):
    client = client_for(world.superuser)
    response = getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)
    assert_error(response, status)


@pytest.mark.parametrize("url,ordering,ok", [
    ("/api/v1/teams/", "name", True), ("/api/v1/teams/", "-name,id", True),
    ("/api/v1/teams/", "password", False), ("/api/v1/teams/", "name,bogus", False),
    ("/api/v1/members/", "-full_name", True), ("/api/v1/members/", "phone", False),
    ("/api/v1/memberships/", "role", True), ("/api/v1/memberships/", "member__password", False),
])
def test_unknown_ordering_is_400(world, client_for, url, ordering, ok):
    response = client_for(world.superuser).get(url, {"ordering": ordering})
    if ok:
        assert response.status_code == 200
    else:
        assert "ordering" in assert_error(response, 400)["errors"]


def test_ordering_orders(world, client_for):
    ids = [t["id"] for t in client_for(world.superuser).get("/api/v1/teams/", {"ordering": "-id"}).json()["results"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 8
