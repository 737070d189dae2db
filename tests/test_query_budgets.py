"""Every API endpoint runs exactly the queries of its row in tests/query_budgets.py.

A new query fails here with the list of queries and a question: why? See the table's
docstring for what to do (remove it, or raise the budget and say why in the row).
"""
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.query_budgets import BUDGETS, populate
from tests.security.matrix import CALLERS, MATRIX, MISSING_PK, api_endpoints, body_for

pytestmark = pytest.mark.django_db


def path_of(name: str) -> str:
    """The row's path: reverse() of the url name, `{pk}` where the id goes."""
    if MATRIX[name].kind is None:
        return reverse(name)
    return reverse(name, kwargs={"pk": MISSING_PK}).replace(str(MISSING_PK), "{pk}")


def _served() -> dict[tuple[str, str], str]:
    """(method, path) -> url name, for every endpoint and method of the URLconf."""
    return {(method, path_of(name)): name for name, (_route, methods) in api_endpoints().items()
            for method in methods}


def test_every_endpoint_has_a_budget():
    served = _served()
    budgeted = {(row.method, row.path) for row in BUDGETS}
    missing = sorted(f"{m.upper()} {p}" for m, p in set(served) - budgeted)
    assert not missing, (
        f"Endpoints without a query budget: {missing}. Add a row per method to tests/query_budgets.py "
        f"(its docstring says how to measure it)."
    )
    stale = sorted(f"{m.upper()} {p}" for m, p in budgeted - set(served))
    assert not stale, f"Budgets for endpoints that no longer exist: {stale}"
    rows = [(row.method, row.path, row.role) for row in BUDGETS]
    assert len(rows) == len(set(rows)), "a (method, path, role) has two rows"
    assert {row.role for row in BUDGETS} <= set(CALLERS)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("row", BUDGETS, ids=lambda row: f"{row.method.upper()} {row.path} as {row.role}")
def test_query_budget(world, client_for, media, row):
    name = _served()[(row.method, row.path)]
    endpoint = MATRIX[name]
    populate(world)
    obj = row.target(endpoint.kind, world)
    url = row.path.replace("{pk}", str(obj.pk)) if obj is not None else row.path
    body = body_for(endpoint, row.method, world)
    client = client_for(getattr(world, CALLERS[row.role]) if CALLERS[row.role] else None)
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    ContentType.objects.clear_cache()  # cold, as in a fresh process: the count must not depend on the tests before
    # Asked once per connection (SQLite's JSON support probe, which a JSONObject() needs): the
    # first request of a process pays it whichever endpoint that is, so no budget holds it.
    connection.features.supports_json_field
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, row.method)(url, **kwargs)
        _content = b"".join(response.streaming_content) if response.streaming else response.content  # streamed bodies query as they are read
    assert response.status_code < 300, (response.status_code, response.content[:500])
    count = len(ctx.captured_queries)
    budget = row.for_vendor(connection.vendor)
    if count != budget:
        queries = "\n".join(f"  {i}. {q['sql'][:300]}" for i, q in enumerate(ctx.captured_queries, 1))
        change = "more" if count > budget else "fewer"
        ask = ("Why? Remove the new query (one query per row is an N+1: fold it into the selector), "
               "or, if it is needed, raise the budget in tests/query_budgets.py and say why in the row's `why`."
               if count > budget else "Lower the budget in tests/query_budgets.py so the gain is kept.")
        pytest.fail(f"{row.method.upper()} {row.path} as {row.role} ran {count} queries, {change} than its "
                    f"budget of {budget} on {connection.vendor}. {ask}\n{queries}", pytrace=False)
