"""API4 Unrestricted resource consumption: body and upload size, page size, search length."""
import json

import pytest
from django.conf import settings
from django.test.client import encode_multipart

from teams.models import Member, Team
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_the_body_limit_is_ten_megabytes(client_for, world):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.API_MAX_REQUEST_BYTES
    client = client_for(world.coord_c1)
    ten_mb = 10 * 1024 * 1024  # the contract's number, written out: changing the limit must fail here
    at_limit = client.post("/api/v1/teams/", b"x" * ten_mb, content_type="application/json")
    assert at_limit.status_code == 400  # read (and refused as bad JSON), not cut off
    over = client.post("/api/v1/teams/", b"x" * (ten_mb + 1), content_type="application/json")
    assert over.status_code == 413 and over.json()["code"] == "request_too_large"


class TestBodySize:
    @pytest.fixture(autouse=True)
    def small_limit(self, settings):
        settings.API_MAX_REQUEST_BYTES = 2048

    def _assert_413(self, response):
        assert response.status_code == 413, response.content
        body = response.json()
        assert body["status"] == 413 and body["code"] == "request_too_large"
        assert "2048" in body["detail"]

    def test_a_json_body_over_the_limit_is_413_and_creates_nothing(self, client_for, world):
        before = Team.objects.count()
        payload = {"name": "x" * 3000, "level": "village", "parent": world.c1.pk}
        self._assert_413(client_for(world.coord_c1).post("/api/v1/teams/", payload, format="json"))
        assert Team.objects.count() == before

    def test_a_json_body_under_the_limit_goes_through(self, client_for, world):
        payload = {"name": "Thôn mới", "level": "village", "parent": world.c1.pk}
        assert len(json.dumps(payload)) < 2048
        assert client_for(world.coord_c1).post("/api/v1/teams/", payload, format="json").status_code == 201

    def test_a_multipart_upload_over_the_limit_is_413(self, client_for, world):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 4096, content_type="image/png")
        response = client_for(world.coord_c1).patch(
            "/api/v1/me/", {"full_name": "Ảnh lớn", "avatar": upload}, format="multipart")
        self._assert_413(response)
        world.coord_c1.refresh_from_db()
        assert world.coord_c1.full_name != "Ảnh lớn"

    def test_the_limit_applies_before_authentication(self, client, db):
        response = client.post("/api/v1/auth/token/", "{" + " " * 4096 + "}", content_type="application/json")
        self._assert_413(response)

    def test_a_form_with_too_many_files_is_refused(self, client_for, world, settings):
        settings.API_MAX_REQUEST_BYTES = 10 * 1024 * 1024
        from django.core.files.uploadedfile import SimpleUploadedFile

        files = {f"f{i}": SimpleUploadedFile(f"{i}.txt", b"x") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)}
        boundary = "BoUnDaRy"
        response = client_for(world.coord_c1).generic(
            "PATCH", "/api/v1/me/", encode_multipart(boundary, {"full_name": "Nhiều tệp", **files}),
            content_type=f"multipart/form-data; boundary={boundary}")
        assert response.status_code == 400
        assert response.json()["code"] == "too_many_parts"
        world.coord_c1.refresh_from_db()
        assert world.coord_c1.full_name != "Nhiều tệp"

    def test_a_form_with_too_many_fields_is_refused(self, client_for, world, settings):
        settings.API_MAX_REQUEST_BYTES = 10 * 1024 * 1024
        body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
        response = client_for(world.coord_c1).generic(
            "PATCH", "/api/v1/me/", body + "&full_name=Nhi%E1%BB%81u", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400
        assert response.json()["code"] == "too_many_parts"

    def test_djangos_own_form_limit_is_413_in_the_error_body(self, client_for, world, settings):
        settings.API_MAX_REQUEST_BYTES = 10 * 1024 * 1024
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
        response = client_for(world.coord_c1).generic(
            "PATCH", "/api/v1/me/", "full_name=" + "a" * 500, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 413
        assert response.json()["code"] == "request_too_large"

    def test_a_nonsense_content_length_is_not_a_500(self, client_for, world):
        response = client_for(world.coord_c1).generic(
            "PATCH", "/api/v1/me/", b'{"full_name": "A"}', content_type="application/json",
            CONTENT_LENGTH="lots")
        assert response.status_code < 500


class TestPageSize:
    @pytest.mark.parametrize("size", ["0", "201", "-1", "100000000000000000000", "abc"])
    def test_page_size_outside_1_to_200_is_400(self, client_for, world, size):
        response = client_for(world.superuser).get("/api/v1/members/", {"page_size": size})
        assert response.status_code == 400
        assert "page_size" in response.json()["errors"]

    def test_page_size_200_is_honoured(self, client_for, world):
        MemberFactory.create_batch(205 - Member.objects.count())
        client = client_for(world.superuser)
        response = client.get("/api/v1/members/", {"page_size": 200})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 205 and len(body["results"]) == 200  # more than the default 50, all 200
        rest = client.get(body["next"]).json()["results"]
        assert len(rest) == 5 and not {r["id"] for r in rest} & {r["id"] for r in body["results"]}


class TestSearchLength:
    @pytest.mark.parametrize("url", ["/api/v1/teams/", "/api/v1/members/"])
    def test_a_search_longer_than_100_characters_is_400(self, client_for, world, url):
        response = client_for(world.coord_district).get(url, {"search": "a" * 101})
        assert response.status_code == 400
        assert "search" in response.json()["errors"]

    @pytest.mark.parametrize("url", ["/api/v1/teams/", "/api/v1/members/"])
    def test_a_search_of_100_characters_is_fine(self, client_for, world, url):
        assert client_for(world.coord_district).get(url, {"search": "â" * 100}).status_code == 200
