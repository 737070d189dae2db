"""Inputs schemathesis found that used to give a 500 or an undocumented answer."""
import pytest


@pytest.mark.parametrize("query", [
    "team=-4.8264209602134136e%2B16", "member=99999999999999999999999", "team=1.5", "parent=abc",
])
def test_id_filters_reject_non_ids_with_400(client_for, world, query):
    path = "/api/v1/teams/" if query.startswith("parent") else "/api/v1/memberships/"
    response = client_for(world.superuser).get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.json()["status"] == 400


@pytest.mark.parametrize("page", ["0", "-1", "abc"])
def test_malformed_page_is_400(client_for, world, page):
    response = client_for(world.superuser).get(f"/api/v1/teams/?page={page}")
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


def test_page_past_the_end_is_json_404(client_for, world):
    response = client_for(world.superuser).get("/api/v1/teams/?page=999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unmatched_url_is_json_404(client_for, world):
    response = client_for(world.superuser).delete("/api/v1/teams/-6.97e-136/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["status"] == 404
