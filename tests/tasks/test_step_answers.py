"""A workflow step answers with the assignment as the list shapes it (tasks.views, _step):
the same body the assignment's own GET gives (AssignmentSerializer), for every step, with
the step's changes in it; and with a bearer token the actor is never loaded for it."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from .conftest import assignment_of

pytestmark = pytest.mark.django_db


def bearer(member) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(member)}")
    return client


def url(assignment, step=""):
    return f"/api/v1/assignments/{assignment.pk}/{step + '/' if step else ''}"


def test_every_step_answers_what_the_assignments_get_then_shows(world, task_c1):
    member, coordinator = bearer(world.member_v1a), bearer(world.coord_c1)
    assignment = assignment_of(task_c1, world.member_v1a)
    steps = [
        (member, "start", {}),
        (member, "complete", {"evidence_url": "https://example.org/p/1", "note": "đã chia sẻ"}),
        (coordinator, "reject", {"reason": "Thiếu ảnh"}),
        (member, "complete", {"evidence_url": "https://example.org/p/2"}),
        (coordinator, "verify", {"note": "Tốt"}),
    ]
    for client, step, body in steps:
        answer = client.post(url(assignment, step), body, format="json")
        assert answer.status_code == 200, answer.content
        shown = client.get(url(assignment))
        assert answer.json() == shown.json(), step
    final = answer.json()
    assert final["status"] == "verified" and final["reviewed_by_name"] == world.coord_c1.full_name
    assert final["evidence_url"] == "https://example.org/p/2" and final["review_note"] == "Tốt"


def test_declining_answers_the_reason(world, task_c1):
    member = bearer(world.member_v1b)
    assignment = assignment_of(task_c1, world.member_v1b)
    answer = member.post(url(assignment, "decline"), {"reason": "Không có Facebook"}, format="json")
    assert answer.status_code == 200 and answer.json() == member.get(url(assignment)).json()
    assert answer.json()["status"] == "declined" and answer.json()["decline_reason"] == "Không có Facebook"


def test_with_a_bearer_token_the_actor_is_not_loaded(world, task_c1):
    client = bearer(world.member_v1a)
    client.get("/api/v1/me/")  # the person's auth state is cached from here on
    assignment = assignment_of(task_c1, world.member_v1a)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url(assignment, "complete"), {"evidence_url": "https://example.org/p/3"},
                           format="json").status_code == 200
    person_reads = [q["sql"] for q in queries.captured_queries
                    if q["sql"].startswith('SELECT "teams_member"."id", "teams_member"."password"')]
    assert person_reads == []


def test_a_row_gone_from_sight_after_the_step_is_still_answered(world, task_c1, monkeypatch):
    # The step committed; a merge or a move can take the row out of the caller's scope before
    # the answer is read: the step's own row is answered then, not a 500 for work that was done.
    from tasks.views import AssignmentViewSet

    monkeypatch.setattr(AssignmentViewSet, "scoped_row", lambda self, pk: None)
    assignment = assignment_of(task_c1, world.member_v1a)
    answer = bearer(world.member_v1a).post(url(assignment, "complete"), {"evidence_url": "https://example.org/p/4"},
                                           format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "completed" and answer.json()["evidence_url"] == "https://example.org/p/4"


@pytest.mark.parametrize("pk", ["abc", "99999999999999999999", "-9223372036854775809", "0"])
def test_a_step_on_an_id_that_is_none_is_a_404(world, pk):
    """The step's row is read through a compiled query (api.rows.scoped_object): an id that is
    not one, or is out of a bigint's range, finds nothing, as Django's lookup does."""
    answer = bearer(world.member_v1a).post(f"/api/v1/assignments/{pk}/complete/",
                                           {"evidence_url": "https://example.org/p/5"}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_a_step_reads_only_rows_in_the_callers_scope_whoever_asked_first(world, task_c1):
    """The compiled step query is made once per shape of scope and filled with each caller's
    own id and paths: another member with the same shape of scope sees none of the first one's
    work, and a coordinator above sees it."""
    first = bearer(world.member_v1a)
    mine = assignment_of(task_c1, world.member_v1a)
    theirs = assignment_of(task_c1, world.member_v1b)
    assert first.post(url(mine, "start"), {}, format="json").status_code == 200
    other = bearer(world.member_v1b)
    assert other.post(url(mine, "start"), {}, format="json").status_code == 404
    assert other.post(url(theirs, "start"), {}, format="json").status_code == 200
    # Visible but not theirs to act on: the same 403 as get_object's path gives.
    refused = bearer(world.coord_c1).post(url(mine, "complete"), {"evidence_url": "https://example.org/p/6"},
                                          format="json")
    assert refused.status_code == 403


def test_a_step_with_query_parameters_reads_its_row_the_generic_way(world, task_c1):
    """The list's filters narrow a detail action's queryset too: with any query parameter the
    step's row is read through get_object() and its filters, as before."""
    member = bearer(world.member_v1a)
    assignment = assignment_of(task_c1, world.member_v1a)
    assert member.post(url(assignment, "start") + "?status=verified", {}, format="json").status_code == 404
    answer = member.post(url(assignment, "start") + "?status=assigned", {}, format="json")
    assert answer.status_code == 200 and answer.json() == member.get(url(assignment)).json()


@pytest.mark.postgres
def test_a_steps_reads_are_prepared_statements(world, task_c1):
    """Its row and its answer are read by id through server-prepared statements: planned once
    per connection (one row by its index suits every caller), not on every step."""
    assignment = assignment_of(task_c1, world.member_v1a)
    assert bearer(world.member_v1a).post(url(assignment, "start"), {}, format="json").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                       ['%FROM "tasks_assignment"%'])
        statements = [row[0] for row in cursor.fetchall()]
    if not connection.prepares:  # DB_PREPARED_STATEMENTS=0
        assert statements == []
        return
    assert len(statements) >= 2 and all("$" in s for s in statements)
