"""The schema documents the mobile headers and their error codes, and validates without warnings."""
import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def params(operation):
    return {(p["in"], p["name"]) for p in operation.get("parameters", [])}


def test_schema_validates_with_fail_on_warn(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_every_authenticated_post_takes_an_idempotency_key_and_documents_409_422(schema):
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    # every POST that needs a login (logging in itself has no member to key by); public
    # endpoints document 401 for bad credentials too, but only login-required ones document 403
    keyed = {path for path, op in posts.items() if "403" in op["responses"]}
    assert "/api/v1/devices/" in keyed and "/api/v1/notifications/read-all/" in keyed
    for path in keyed:
        op = posts[path]
        assert ("header", "Idempotency-Key") in params(op), path
        assert {"409", "422"} <= set(op["responses"]), path


def test_detail_gets_document_etag_and_304(schema):
    op = schema["paths"]["/api/v1/teams/{id}/"]["get"]
    assert ("header", "If-None-Match") in params(op)
    assert "ETag" in op["responses"]["200"]["headers"]
    assert "304" in op["responses"]


def test_patch_with_if_match_documents_412(schema):
    op = schema["paths"]["/api/v1/teams/{id}/"]["patch"]
    assert ("header", "If-Match") in params(op)
    assert "412" in op["responses"]


def test_the_feed_documents_delta_sync(schema):
    op = schema["paths"]["/api/v1/notifications/"]["get"]
    assert {("query", "updated_since"), ("query", "unread"), ("query", "cursor")} <= params(op)
    assert "X-Sync-Cursor" in op["responses"]["200"]["headers"]
