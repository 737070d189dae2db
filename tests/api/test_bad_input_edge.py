"""Bad input at the edge is a 400 (or a 404 for a path id), never a 500: JSON nested
thousands deep (login and refresh included), ids that do not fit, text PostgreSQL cannot
store, dates at the end of the calendar."""
import pytest

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000
NESTED_OBJECT = '{"a":' * 40 + "1" + "}" * 40


def post_raw(client, path, raw):
    return client.generic("POST", path, raw.encode("utf-8", "surrogatepass"), content_type="application/json")


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/"])
@pytest.mark.parametrize("raw", [DEEP, NESTED_OBJECT, '{"phone": ' + DEEP + "}"])
def test_deep_json_is_a_400_for_anonymous_endpoints(client, path, raw):
    response = post_raw(client, path, raw)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "parse_error"


def test_deep_json_is_a_400_for_members_too(world, client_for):
    client = client_for(world.coord_c1)
    response = client.generic("POST", "/api/v1/tasks/", ('{"title": ' + DEEP + "}").encode(),
                              content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_ordinary_nesting_still_parses(world, client_for):
    client = client_for(world.coord_c1)
    response = client.post(f"/api/v1/tasks/{0}/assign/", {"teams": [world.c1.pk]}, format="json")
    assert response.status_code == 404  # a real body, parsed; the task just does not exist


@pytest.mark.parametrize("raw", [
    '{"phone": "\\ud800", "password": "x"}',          # a lone surrogate
    '{"phone": "0912\\u0000345", "password": "x"}',   # NUL, which PostgreSQL cannot store
    '{"\\udfff": 1, "phone": "0912345678", "password": "x"}',
])
def test_text_that_cannot_be_stored_is_a_400_at_login(client, raw):
    response = post_raw(client, "/api/v1/auth/token/", raw)
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["non_field_errors"]


def test_a_lone_surrogate_in_a_write_is_a_400_and_writes_nothing(world, client_for):
    from tasks.models import Task

    client = client_for(world.coord_c1)
    raw = ('{"title": "Vi\\udc00c", "kind": "share", "platform": "facebook", "team": %d}' % world.c1.pk)
    response = post_raw(client, "/api/v1/tasks/", raw)
    assert response.status_code == 400
    assert not Task.objects.exists()


@pytest.mark.parametrize("value", ["1e400", "99999999999999999999999", "1.5", "-1", "0x10", "NaN", "1e3"])
def test_path_ids_that_do_not_fit_are_404(world, client_for, value):
    client = client_for(world.coord_c1)
    for path in (f"/api/v1/tasks/{value}/", f"/api/v1/teams/{value}/", f"/api/v1/assignments/{value}/",
                 f"/api/v1/teams/{value}/stats/", f"/api/v1/notifications/{value}/"):
        response = client.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)


@pytest.mark.parametrize("value", [1e300, 10 ** 30, 2 ** 63, 1.5, -(2 ** 63) - 1, "1e400", True])
def test_body_ids_that_do_not_fit_are_400(world, client_for, value):
    client = client_for(world.coord_c1)
    task = client.post("/api/v1/tasks/", {"title": "Việc", "kind": "share", "platform": "facebook",
                                          "team": value}, format="json")
    assert task.status_code == 400, task.content
    assert "team" in task.json()["errors"]


def test_1e400_in_a_json_body_is_a_400(world, client_for):
    client = client_for(world.coord_c1)
    raw = '{"title": "Việc", "kind": "share", "platform": "facebook", "team": 1e400}'
    response = post_raw(client, "/api/v1/tasks/", raw)
    assert response.status_code == 400


@pytest.mark.parametrize("param", ["task", "campaign", "team", "within", "assignee"])
@pytest.mark.parametrize("value", ["1e400", "99999999999999999999999", "1.5"])
def test_filter_ids_that_do_not_fit_are_400_or_empty(world, client_for, param, value):
    client = client_for(world.coord_c1)
    for path in ("/api/v1/tasks/", "/api/v1/assignments/", f"/api/v1/teams/{world.c1.pk}/stats/"):
        response = client.get(path, {param: value})
        assert response.status_code in (200, 400), (path, param, response.status_code)


@pytest.mark.parametrize("since,until", [
    ("9999-12-31", None), (None, "9999-12-31"), ("0001-01-01", "9999-12-31"), ("0001-01-01", None),
    ("9999-12-31T23:59:59+00:00", None), ("0001-01-01T00:00:00-14:00", None),
])
def test_stats_at_the_ends_of_the_calendar_are_400_or_empty(world, client_for, since, until):
    client = client_for(world.coord_c1)
    params = {k: v for k, v in (("since", since), ("until", until)) if v}
    for suffix in ("stats/", "stats/children/", "stats/daily/", "stats/members/"):
        response = client.get(f"/api/v1/teams/{world.c1.pk}/{suffix}", params)
        assert response.status_code in (200, 400), (suffix, params, response.status_code, response.content[:200])


def test_a_small_png_that_decodes_to_40_megapixels_is_refused_before_decoding(settings):
    import io
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from rest_framework.exceptions import ValidationError

    from api.images import clean_evidence_image

    assert settings.EVIDENCE_MAX_PIXELS <= 12_000_000  # a second of CPU and 150 MB were 40 MP
    buffer = io.BytesIO()
    Image.new("RGB", (7300, 5440), (200, 10, 10)).save(buffer, format="PNG", optimize=True)
    assert len(buffer.getvalue()) < 200_000
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")
    started = time.process_time()
    with pytest.raises(ValidationError) as refused:
        clean_evidence_image(upload)
    assert time.process_time() - started < 0.1  # refused from the header, not decoded
    assert "7300 × 5440" in str(refused.value.detail)


def test_the_edge_answers_speak_vietnamese_by_default(client):
    response = post_raw(client, "/api/v1/auth/token/", DEEP)
    assert response.json()["detail"] == "Nội dung JSON lồng nhau quá sâu."
    english = client.generic("POST", "/api/v1/auth/token/", '{"phone": "\\ud800"}'.encode(),
                             content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "Text must be valid Unicode (no lone surrogates)."
