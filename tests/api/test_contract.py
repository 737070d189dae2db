"""The served OpenAPI document keeps every path, verb and status value of ../shared/api-contract.md."""
import pytest
import yaml
from django.core.management import call_command

CONTRACT = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/token/refresh/": {"post"},
    "/api/v1/auth/logout/": {"post"},
    "/api/v1/me/": {"get", "patch"},
    "/api/v1/teams/": {"get", "post"},
    "/api/v1/teams/{id}/": {"get", "patch", "delete"},
    "/api/v1/members/": {"get", "post"},
    "/api/v1/members/{id}/": {"get", "patch"},
    "/api/v1/memberships/": {"get", "post"},
    "/api/v1/memberships/{id}/": {"get", "patch", "delete"},
    "/api/v1/tasks/": {"get", "post"},
    "/api/v1/tasks/{id}/": {"get", "patch"},
    "/api/v1/tasks/{id}/assign/": {"post"},
    "/api/v1/tasks/{id}/cancel/": {"post"},
    "/api/v1/assignments/": {"get"},
    "/api/v1/assignments/{id}/": {"get"},
    **{f"/api/v1/assignments/{{id}}/{a}/": {"post"} for a in ("start", "complete", "decline", "verify", "reject")},
    "/api/v1/campaigns/": {"get", "post"},
    "/api/v1/campaigns/{id}/": {"get", "patch"},
    "/api/v1/notifications/": {"get"},
    "/api/v1/notifications/{id}/read/": {"post"},
    "/api/v1/devices/": {"post"},
    "/api/v1/devices/{id}/": {"delete"},
    "/api/v1/teams/{id}/stats/": {"get"},
}

ENUMS = {
    "kind": {"post", "share", "comment", "other", "offline"},  # offline: v1.1
    "platform": {"facebook", "zalo", "tiktok", "youtube", "mocha", "website", "other"},
    "task status": {"open", "closed", "cancelled"},
    "assignment status": {"assigned", "in_progress", "completed", "verified", "rejected", "declined", "cancelled"},
    "level": {"province", "district", "commune", "village"},
    "role": {"coordinator", "member", "observer"},
    "device platform": {"android", "ios", "web"},
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    call_command("spectacular", "--file", str(path))
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path,methods", sorted(CONTRACT.items()))
def test_every_contract_operation_is_served(schema, path, methods):
    assert path in schema["paths"], path
    assert methods <= set(schema["paths"][path]), (path, set(schema["paths"][path]))


@pytest.mark.parametrize("name,values", sorted(ENUMS.items()))
def test_contract_status_values_are_the_schema_enums(schema, name, values):
    enums = [set(c["enum"]) for c in schema["components"]["schemas"].values() if "enum" in c]
    assert values in enums, name


@pytest.mark.parametrize("component,fields", [
    ("Team", {"id", "name", "level", "parent"}),
    ("Membership", {"id", "member", "team", "role"}),
    ("Task", {"id", "title", "instructions", "kind", "platform", "reference_url", "team", "due_at", "status",
              "created_by", "updated_at"}),
    ("Assignment", {"id", "task", "assignee", "team", "status", "evidence_url", "evidence_image", "note",
                    "completed_at", "reviewed_by", "reviewed_at", "review_note", "is_overdue", "updated_at"}),
    ("Campaign", {"id", "name", "description", "team", "starts_at", "ends_at"}),
])
def test_contract_fields_are_in_the_responses(schema, component, fields):
    assert fields <= set(schema["components"]["schemas"][component]["properties"])
