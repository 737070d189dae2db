"""The served OpenAPI document as Kotlin, Swift, Dart and TypeScript generators read it.

Each rule here is one that broke a generated client before: a document that changed with
Accept-Language, fields the server always sends typed as optional, URLs as a `oneOf` of two
overlapping strings (Kotlin made empty classes named after their Vietnamese titles), untyped
`params`, `+`/`~`/`-` enum members, `complete` listing JSON first, undeclared headers, and
descriptions that were our Python docstrings.
"""
import inspect
import json
import re

import pytest
from drf_spectacular.generators import EndpointEnumerator

from api.exceptions import ERROR_CODES

VIETNAMESE = set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")


@pytest.fixture(scope="module")
def raw(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    return response.content


@pytest.fixture(scope="module")
def schema(raw):
    return json.loads(raw)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def walk(node, where=""):
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}/{index}")


def response_components(schema):
    return {name: c for name, c in schema["components"]["schemas"].items() if not name.endswith("Request")}


def test_the_document_is_the_same_english_one_whatever_accept_language(client, db, raw):
    english = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="vi")
    assert english.content == vietnamese.content == raw
    assert not VIETNAMESE & set(raw.decode().lower())
    # The answers' messages still follow the language.
    assert client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="vi").json()["detail"] != \
        client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]


def test_every_response_component_requires_every_field_the_server_sends(schema):
    from api.schema import OPTIONAL_RESPONSE_PROPERTIES

    for name, component in response_components(schema).items():
        if component.get("type") == "object" and "properties" in component:
            optional = OPTIONAL_RESPONSE_PROPERTIES.get(name, set())
            assert set(component["required"]) == set(component["properties"]) - optional, name


def test_nullable_the_openapi_3_0_way_and_no_one_of_anywhere(schema):
    for where, node in walk(schema):
        assert "oneOf" not in node and "anyOf" not in node, where
        if node.get("nullable"):
            assert "type" in node, where  # beside allOf too: "this object, or null"
        if "properties" in node:
            for prop, value in node["properties"].items():
                assert "title" not in value, f"{where}/{prop}"  # generators name classes after titles


def test_urls_are_plain_strings_that_may_be_empty(schema):
    components = schema["components"]["schemas"]
    for component, field in [("TaskCreateRequest", "reference_url"), ("AssignmentCompleteRequest", "evidence_url"),
                             ("PatchedTaskUpdateRequest", "reference_url")]:
        prop = components[component]["properties"][field]
        assert (prop["type"], prop["format"]) == ("string", "uri"), (component, field)
        assert "empty string" in prop["description"].lower(), (component, field)
    # In answers "" is sent when there is none, which no strict validator takes for a `uri`.
    answer_pattern = re.compile(components["Assignment"]["properties"]["evidence_url"]["pattern"])
    for value in ["", "https://www.facebook.com/lan/posts/1", "http://x.vn/a?b=c"]:
        assert answer_pattern.search(value), value
    for value in ["javascript", "not a url"]:
        assert not answer_pattern.search(value), value
    for component, field in [("Assignment", "evidence_url"), ("AssignmentTask", "reference_url"),
                             ("Task", "reference_url")]:
        prop = components[component]["properties"][field]
        assert prop["type"] == "string" and "format" not in prop and prop["pattern"], (component, field)
        assert "empty string" in prop["description"].lower(), (component, field)
    image = components["Assignment"]["properties"]["evidence_image"]
    assert (image["type"], image["format"], image["nullable"]) == ("string", "uri", True)


def test_every_enum_is_a_named_component_with_clean_members(schema):
    components = schema["components"]["schemas"]
    enums = {name for name, c in components.items() if "enum" in c}
    assert {"AssignmentStatusEnum", "TaskStatusEnum", "TeamLevelEnum", "RoleEnum", "NotificationKindEnum",
            "DevicePlatformEnum", "TaskPriorityEnum", "HistoryTypeEnum", "ErrorCodeEnum"} <= enums
    assert all(name.endswith("Enum") for name in enums)
    for name in enums:
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", value) for value in components[name]["enum"]), name
    for name, component in components.items():
        for prop, value in component.get("properties", {}).items():
            assert "enum" not in value, f"{name}.{prop} has an inline enum"
    assert components["HistoryTypeEnum"]["enum"] == ["created", "changed", "deleted"]
    assert components["ErrorCodeEnum"]["enum"] == list(ERROR_CODES)
    for component, field, enum in [("ReportTeam", "level", "TeamLevelEnum"),
                                   ("AssignmentEvent", "to_status", "AssignmentStatusEnum"),
                                   ("AssignmentEvent", "from_status", "AssignmentStatusEnum"),
                                   ("Assignment", "status", "AssignmentStatusEnum")]:
        refs = json.dumps(components[component]["properties"][field])
        assert f"#/components/schemas/{enum}" in refs, (component, field)


def test_params_and_history_values_are_typed(schema):
    components = schema["components"]["schemas"]
    params = components["Notification"]["properties"]["params"]
    assert "NotificationParams" in json.dumps(params)
    props = components["NotificationParams"]["properties"]
    assert {k: (v["type"], v.get("format")) for k, v in props.items()} == {
        "task": ("string", None), "due_at": ("string", "date-time"), "reason": ("string", None),
        "count": ("integer", "int64"), "note": ("string", None), "date": ("string", "date"),
        "survey": ("string", None), "survey_id": ("integer", "int64")}
    assert all(v["nullable"] for v in props.values())
    change = components["HistoryChange"]["properties"]
    assert change["old"] == {**change["old"], "type": "string", "nullable": True}
    assert change["new"]["type"] == "string"


def test_every_integer_has_a_format(schema):
    for where, node in walk(schema):
        if node.get("type") == "integer":
            assert node.get("format") in ("int32", "int64"), where


def test_complete_is_multipart_first_with_413_and_415(schema):
    operation = schema["paths"]["/api/v1/assignments/{id}/complete/"]["post"]
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data", "application/json"]
    upload = schema["components"]["schemas"][content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert upload["properties"]["evidence_image"]["format"] == "binary"
    link_only = schema["components"]["schemas"][content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    # Offline work completes with a quantity and no link (v1.1), so nothing is required by the schema itself.
    assert "evidence_image" not in link_only["properties"] and "evidence_url" in link_only["properties"]
    assert not link_only.get("required") and "quantity" in link_only["properties"]
    assert {"400", "413", "415"} <= set(operation["responses"])
    assert "evidence_image" in operation["description"]
    # Every other body is JSON only: a generator picks the first content type.
    for path, method, op in operations(schema):
        if "requestBody" in op and op is not operation:
            assert list(op["requestBody"]["content"]) == ["application/json"], (path, method)


def test_headers_are_declared_where_they_are_sent(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        assert "Retry-After" in responses["429"]["headers"], (path, method)
        assert "Retry-After" in responses["503"]["headers"], (path, method)
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if method == "post":
            assert "Idempotency-Key" in names, path  # anonymous POSTs too: login, refresh, logout
            for status, response in responses.items():
                if status.startswith("2"):
                    assert "Idempotent-Replayed" in response["headers"], (path, status)
        ok = responses.get("200", {})
        if method == "get" and "application/json" in ok.get("content", {}):
            assert "ETag" in ok["headers"] and "304" in responses and "If-None-Match" in names, path
    for path in ["/api/v1/tasks/", "/api/v1/assignments/", "/api/v1/campaigns/", "/api/v1/notifications/"]:
        assert "X-Sync-Cursor" in schema["paths"][path]["get"]["responses"]["200"]["headers"], path
    lists = schema["paths"]["/api/v1/teams/"]["get"]["responses"]
    assert "ETag" in lists["200"]["headers"] and "304" in lists  # lists carry ETags too


def test_servers_tags_contact_and_licence(schema):
    assert schema["servers"] and all(s["description"] for s in schema["servers"])
    assert schema["info"]["contact"]["email"] and schema["info"]["license"]["name"]
    tags = {tag["name"] for tag in schema["tags"]}
    for path, method, operation in operations(schema):
        assert set(operation["tags"]) <= tags, (path, method)


def test_the_error_body_is_a_closed_shape(schema):
    error = schema["components"]["schemas"]["ApiError"]
    assert error["required"] == ["status", "code", "detail", "errors"]
    assert "ErrorCodeEnum" in json.dumps(error["properties"]["code"])
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status >= "400":
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ApiError"}, (path, method, status)


def _docstrings():
    texts = set()
    for _path, _regex, _method, callback in EndpointEnumerator().get_api_endpoints():
        for cls in getattr(callback, "cls", type(callback)).__mro__:
            if cls.__doc__:
                doc = inspect.cleandoc(cls.__doc__)
                texts.add(doc)
                texts.add(doc.splitlines()[0])
        for name in dir(callback.cls):
            member = getattr(callback.cls, name, None)
            if callable(member) and getattr(member, "__doc__", None):
                texts.add(inspect.cleandoc(member.__doc__).splitlines()[0])
    return {text for text in texts if len(text) > 20}


def test_every_operation_has_a_summary_and_a_description_for_api_users(schema):
    docstrings = _docstrings()
    for path, method, operation in operations(schema):
        assert operation.get("summary"), (path, method)
        description = operation.get("description", "")
        assert len(description) > 40, (path, method)
        assert not any(doc in description for doc in docstrings), (path, method, description)
    # What a client needs: which statuses an action accepts and which codes it returns.
    verify = schema["paths"]["/api/v1/assignments/{id}/verify/"]["post"]["description"]
    assert "`completed`" in verify and "409 `invalid_transition`" in verify
    complete = schema["paths"]["/api/v1/assignments/{id}/complete/"]["post"]["description"]
    assert all(status in complete for status in ("`assigned`", "`in_progress`", "`rejected`"))
