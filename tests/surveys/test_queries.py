"""Query budgets: the survey list costs the same for 1 row or 60; answering and results
cost a fixed number of queries, whatever the number of people and responses."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code < 300, response.content
    return len(ctx.captured_queries)


@pytest.mark.parametrize("caller", ["coord_c1", "member_v1a"])
def test_the_list_costs_the_same_for_one_row_or_sixty(world, client_for, survey_factory, caller):
    for n in range(60):
        survey_factory(team=world.c1, title=f"Khảo sát {n}")
    client = client_for(getattr(world, caller))
    one = _queries(lambda: client.get("/api/v1/surveys/", {"page_size": 1}))
    sixty = _queries(lambda: client.get("/api/v1/surveys/", {"page_size": 60}))
    # scope + count + page + questions + audience
    assert one == sixty == 5


def test_answering_costs_a_fixed_number_of_queries(world, survey_factory, answer, people_in):
    survey = survey_factory(team=world.c1)
    first, second = people_in(world.v1a, 2)
    answer(survey, first, text="một")  # creates Thôn 1's counters
    # scope, survey (+ questions, audience), the caller's teams (once, for the check and the team),
    # savepoint, participation, team counter, option counters, text pool (lock, write), release.
    assert _queries(lambda: answer(survey, second, text="hai")) == 13


def test_results_cost_a_fixed_number_of_queries(world, client_for, survey_factory, answer, people_in):
    survey = survey_factory(team=world.c1)
    for person in people_in(world.v1a, 7):
        answer(survey, person, text="ý kiến")
    client = client_for(world.coord_c1)
    # scope, survey (+ questions, audience), ?team=, audience size, team counts, option counts, texts
    assert _queries(lambda: client.get(f"/api/v1/surveys/{survey.pk}/results/", {"team": world.v1a.pk})) == 9
