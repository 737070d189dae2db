"""The OpenAPI document, the docs pages (no internet needed), /healthz and the admin."""
import json
import re

import pytest
import yaml
from django.core.management import call_command
from django.db import OperationalError

from teams.models import Team


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_schema_is_yaml_by_default_and_json_on_request(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert "yaml" in response["Content-Type"] or "openapi" in response["Content-Type"]
    assert yaml.safe_load(response.content)["paths"]
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    assert json.loads(response.content)["paths"]


CONTRACT_PATHS = {
    "/api/v1/auth/token/": {"post"}, "/api/v1/auth/token/refresh/": {"post"}, "/api/v1/auth/logout/": {"post"},
    "/api/v1/me/": {"get", "patch"},
    "/api/v1/teams/": {"get", "post"}, "/api/v1/teams/{id}/": {"get", "patch", "delete"},
    "/api/v1/members/": {"get", "post"}, "/api/v1/members/{id}/": {"get", "patch"},
    "/api/v1/memberships/": {"get", "post"}, "/api/v1/memberships/{id}/": {"get", "patch", "delete"},
}


def test_schema_has_the_contract_paths_with_errors_and_security(schema):
    assert "jwtAuth" in schema["components"]["securitySchemes"] or any(
        s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())
    for path, methods in CONTRACT_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), (path, set(schema["paths"][path]))
        for method in methods:
            responses = schema["paths"][path][method]["responses"]
            if method in ("post", "patch"):
                assert "400" in responses, (path, method)
            assert {"401", "429"} <= set(responses), (path, method)
            if path.startswith("/api/v1/auth/"):
                continue
            assert "403" in responses, (path, method)
            if "{id}" in path:
                assert "404" in responses
    error = schema["components"]["schemas"]["ApiError"]  # "Error" is reserved in Swift and Dart
    assert {"status", "code", "detail"} <= set(error["required"])


def test_schema_documents_the_enums_and_filters(schema):
    comps = schema["components"]["schemas"]
    assert set(comps["TeamLevelEnum"]["enum"]) == {"province", "district", "commune", "village"}
    assert set(comps["RoleEnum"]["enum"]) == {"coordinator", "member", "observer"}
    team_params = {p["name"] for p in schema["paths"]["/api/v1/teams/"]["get"]["parameters"]}
    assert {"level", "parent", "within", "search", "page", "page_size", "ordering"} <= team_params
    member_params = {p["name"]: p for p in schema["paths"]["/api/v1/members/"]["get"]["parameters"]}
    assert {"team", "within", "role", "is_active", "search"} <= set(member_params)
    assert member_params["is_active"]["schema"]["type"] == "boolean"
    page_size = next(p for p in schema["paths"]["/api/v1/teams/"]["get"]["parameters"] if p["name"] == "page_size")
    assert page_size["schema"]["maximum"] == 200


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_only_local_assets(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    refs = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)["\']', html)
    assert refs, html
    for ref in refs:
        assert not re.match(r"^(https?:)?//", ref), f"{url} loads {ref} from the internet"
    assert "/api/schema/" in html
    from django.contrib.staticfiles import finders

    for ref in refs:
        if ref.startswith("/static/"):
            # shipped with the app (drf-spectacular-sidecar), served by whitenoise / collectstatic
            assert finders.find(ref.removeprefix("/static/")), ref


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_the_database_does_not_answer(client, db):
    from unittest import mock

    with mock.patch("api.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.fixture
def admin_client_for(client, world):
    client.force_login(world.superuser)
    return client


@pytest.mark.parametrize("url,params,text", [
    ("/admin/teams/member/", {}, "Đặng Thị Lan"),
    ("/admin/teams/member/", {"q": "dang thi lan"}, "Đặng Thị Lan"),
    ("/admin/teams/member/", {"q": "Đặng"}, "Đặng Thị Lan"),
    ("/admin/teams/member/", {"q": "0910"}, "+8491"),  # the national spelling; any sequence number
    ("/admin/teams/team/", {}, "Tâm Thắng"),
    ("/admin/teams/team/", {"q": "tam thang"}, "Tâm Thắng"),
    ("/admin/teams/team/", {"q": "Thắng"}, "Tâm Thắng"),
    ("/admin/teams/membership/", {}, "Coordinator"),
    ("/admin/teams/membership/", {"q": "Thôn 1"}, "Thôn 1"),
])
def test_admin_lists_and_searches(admin_client_for, url, params, text):
    response = admin_client_for.get(url, params)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_admin_member_and_team_pages_open(admin_client_for, world):
    for url in [f"/admin/teams/member/{world.member_v1a.pk}/change/", "/admin/teams/member/add/",
                f"/admin/teams/team/{world.c1.pk}/change/", "/admin/teams/team/add/"]:
        assert admin_client_for.get(url).status_code == 200, url


def test_admin_adds_a_team_with_its_path(admin_client_for, world):
    response = admin_client_for.post("/admin/teams/team/add/", {
        "name": "Thôn Admin", "level": "village", "parent": world.c1.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    team = Team.objects.get(name="Thôn Admin")
    assert team.path == f"{world.c1.path}{team.pk}/"
    assert team.search_name == "thon admin"


def test_admin_refuses_a_team_at_the_wrong_level(admin_client_for, world):
    response = admin_client_for.post("/admin/teams/team/add/", {
        "name": "Sai Cấp", "level": "village", "parent": world.v1a.pk})  # a village under a village
    assert response.status_code == 200  # the form again, with the error
    assert not Team.objects.filter(name="Sai Cấp").exists()


def test_admin_moves_a_team_with_its_subtree(admin_client_for, world):
    response = admin_client_for.post(f"/admin/teams/team/{world.c1.pk}/change/", {
        "name": "Tâm Thắng", "level": "commune", "parent": world.other_district.pk})
    assert response.status_code == 302
    v1a = Team.objects.get(pk=world.v1a.pk)
    assert v1a.path.startswith(Team.objects.get(pk=world.other_district.pk).path)


def test_admin_adds_a_member_with_a_normalised_phone(admin_client_for):
    from teams.models import Member

    response = admin_client_for.post("/admin/teams/member/add/", {
        "phone": "0966 123 456", "full_name": "Người Admin Thêm",
        "password1": "a-long-Pass-2026!", "password2": "a-long-Pass-2026!",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Member.objects.get(phone="+84966123456").search_name == "nguoi admin them"


def test_id_filters_are_documented_as_integers(schema):
    for path, names in {"/api/v1/teams/": {"parent", "within"}, "/api/v1/members/": {"team", "within"},
                        "/api/v1/memberships/": {"member", "team", "within"}}.items():
        params = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        for name in names:
            assert params[name]["schema"]["type"] == "integer", (path, name)


def test_admin_refuses_to_delete_a_team_that_is_not_empty(admin_client_for, world):
    response = admin_client_for.post(f"/admin/teams/team/{world.v1a.pk}/delete/", {"post": "yes"})
    assert response.status_code in (200, 403)
    assert Team.objects.filter(pk=world.v1a.pk).exists()
    response = admin_client_for.post("/admin/teams/team/", {
        "action": "delete_selected", "_selected_action": [world.c1.pk], "post": "yes"})
    assert response.status_code in (200, 302)
    assert Team.objects.filter(pk=world.c1.pk).exists()


def test_admin_has_no_member_delete(admin_client_for, world):
    response = admin_client_for.post(f"/admin/teams/member/{world.member_v1a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    from teams.models import Member

    assert Member.objects.filter(pk=world.member_v1a.pk).exists()


def test_admin_keeps_a_persons_only_role(admin_client_for, world):
    from teams.models import Membership

    only = Membership.objects.get(member=world.member_v1a)
    response = admin_client_for.post(f"/admin/teams/membership/{only.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = admin_client_for.post("/admin/teams/membership/", {
        "action": "delete_selected", "_selected_action": [only.pk], "post": "yes"})
    assert response.status_code in (302, 403)
    assert Membership.objects.filter(pk=only.pk).exists()
    # a second role can go
    from tests.factories import MembershipFactory

    extra = MembershipFactory(member=world.member_v1a, team=world.v1b, role="member")
    response = admin_client_for.post(f"/admin/teams/membership/{extra.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=extra.pk).exists()
