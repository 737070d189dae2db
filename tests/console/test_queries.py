"""Query budgets: each console page costs at most 3 queries more than the API request(s)
showing the same data, and the same whatever the number of rows (no query per row)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tasks import services
from tasks.models import Assignment
from tests.factories import MemberFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# page -> (caller, console URL, API URLs for the same data, console's exact budget)
PAGES = {
    "my tasks": ("member_v1a_2", "/console/mine/?show=all", ["/api/v1/assignments/?mine=true"], 4),
    "review queue": ("coord_c1", "/console/review/", ["/api/v1/assignments/?status=completed"], 4),
    "overdue": ("coord_c1", "/console/overdue/", ["/api/v1/assignments/?due_before={now}"], 4),
    "team": ("coord_c1", "/console/teams/{c1}/", ["/api/v1/teams/{c1}/stats/", "/api/v1/teams/{c1}/stats/children/"],
             # PostgreSQL reads the totals from its trigger-kept tally in one query; SQLite sums the
             # daily rollups and the offline quantities live (two)
             {"postgresql": 11, "sqlite": 12}),
    "tasks": ("coord_c1", "/console/tasks/", ["/api/v1/tasks/"], 4),
    "task": ("coord_c1", "/console/tasks/{task}/", ["/api/v1/tasks/{task}/"], 5),
    "campaigns": ("coord_c1", "/console/campaigns/", ["/api/v1/campaigns/"], 4),
    "campaign (one topic)": ("coord_c1", "/console/campaigns/{campaign}/?topic={topic}",
                             ["/api/v1/campaigns/{campaign}/", "/api/v1/campaigns/{campaign}/stats/?topic={topic}",
                              "/api/v1/tasks/?campaign={campaign}", "/api/v1/topics/"],
                             # the topic filter: its id checked, then the topics offered; the counts as
                             # for "team" (PostgreSQL's tally in one query, SQLite's rollups and quantities in two)
                             {"postgresql": 11, "sqlite": 12}),
    "members": ("coord_c1", "/console/members/", ["/api/v1/members/"], 5),
    "my task": ("member_v1a_2", "/console/mine/{todo}/", ["/api/v1/assignments/{todo}/", "/api/v1/assignments/{todo}/events/"], 5),
    "surveys": ("member_v1a_2", "/console/surveys/", ["/api/v1/surveys/?mine=true", "/api/v1/surveys/"], 5),
    "survey": ("member_v1a_2", "/console/surveys/{survey}/", ["/api/v1/surveys/{survey}/"], 7),
    "survey results": ("coord_c1", "/console/surveys/{survey}/results/?team={v1a}",
                       ["/api/v1/surveys/{survey}/results/?team={v1a}"], 12),
}


def open_survey(world):
    """The commune's open survey (made once), asking c1's subtree."""
    from surveys import services as survey_services
    from surveys.models import Survey

    found = Survey.objects.filter(team=world.c1, title="Khảo sát đo").first()
    if found is None:
        found = survey_services.survey_create(actor=world.coord_c1, team=world.c1, title="Khảo sát đo", questions=[
            {"kind": "single", "text": "Có hay không?", "options": ["Có", "Không"]},
            {"kind": "text", "text": "Góp ý", "required": False}])
        found = survey_services.survey_open(survey=found, actor=world.coord_c1)
        question = {q.kind: q for q in found.questions.all()}
        for _ in range(5):  # a group big enough to be shown: its counts are read
            person = MemberFactory()
            MembershipFactory(member=person, team=world.v1a)
            survey_services.survey_respond(survey=found, actor=person, answers=[
                {"question": question["single"].pk, "choice": "Có"}, {"question": question["text"].pk, "text": "ý"}])
    return found


def campaign_with_topic(world):
    """The commune's campaign and topic (made once), holding every task of c1 made so far."""
    from tasks.models import Campaign, Task, Topic

    topic = Topic.objects.filter(team=world.c1, name="An toàn mạng").first() or services.topic_create(
        actor=world.coord_c1, team=world.c1, name="An toàn mạng")
    campaign = Campaign.objects.filter(team=world.c1, name="Tháng an toàn mạng").first() or services.campaign_create(
        actor=world.coord_c1, team=world.c1, name="Tháng an toàn mạng", topic=topic)
    Task.objects.filter(team=world.c1).update(campaign=campaign, topic=topic)
    return campaign, topic


def grow(world, work, n):
    """n more people in village v1a, each with the home task and a completed one (more rows everywhere)."""
    for _ in range(n):
        MembershipFactory(member=MemberFactory(), team=world.v1a)
    extra = services.task_create(actor=world.coord_c1, title="Thêm", kind="post", platform="zalo", team=world.c1,
                                 due_at=timezone.now() + timezone.timedelta(days=1))
    services.task_assign(task=extra, actor=world.coord_c1, teams=[world.v1a])
    services.task_assign(task=work.task, actor=world.coord_c1, teams=[world.v1a])
    for assignment in Assignment.objects.filter(task=extra):
        services.assignment_complete(assignment=assignment, actor=assignment.assignee, evidence_url="https://x.example/")
    from surveys import services as survey_services

    survey = open_survey(world)
    question = {q.kind: q for q in survey.questions.all()}
    from surveys.models import Participation

    answered = Participation.objects.filter(survey=survey).values("member_id")
    for assignment in Assignment.objects.filter(task=extra).exclude(assignee=world.member_v1a_2).exclude(
            assignee_id__in=answered):
        survey_services.survey_respond(survey=survey, actor=assignment.assignee, answers=[
            {"question": question["single"].pk, "choice": "Có"}, {"question": question["text"].pk, "text": "ý"}])
    for n in range(3):
        more = survey_services.survey_create(actor=world.coord_c1, team=world.c1, title=f"Thêm {n}",
                                             questions=[{"kind": "text", "text": "Góp ý"}])
        survey_services.survey_open(survey=more, actor=world.coord_c1)


def count(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = fn()
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def measure(world, work, name):
    caller, page, api_urls, _budget = PAGES[name]
    values = {"c1": world.c1.pk, "task": work.task.pk, "todo": work.todo.pk, "v1a": world.v1a.pk,
              "survey": open_survey(world).pk,
              **dict(zip(("campaign", "topic"), (made.pk for made in campaign_with_topic(world)))),
              "now": timezone.now().isoformat().replace("+", "%2B")}
    person = getattr(world, caller)
    from django.test import Client

    client = Client()
    client.force_login(person)
    api = APIClient()
    api.force_authenticate(person)
    console = count(lambda: client.get(page.format(**values)))
    # force_authenticate skips the token's user lookup, which a real request makes: +1 per request.
    api_total = sum(count(lambda url=url: api.get(url.format(**values))) + 1 for url in api_urls)
    return console, api_total


@pytest.mark.parametrize("name", PAGES)
def test_a_console_page_costs_at_most_three_queries_more_than_the_api(world, work, name):
    console, api_total = measure(world, work, name)
    print(f"{name}: console {console}, API {api_total}")
    assert console <= api_total + 3, f"{name}: console {console} queries, API {api_total}"
    budget = PAGES[name][3]
    if isinstance(budget, dict):
        budget = budget[connection.vendor]
    assert console == budget, f"{name}: {console} queries (budget {budget}); explain a new one"


@pytest.mark.parametrize("name", PAGES)
def test_more_rows_cost_no_more_queries(world, work, name):
    before, _ = measure(world, work, name)
    grow(world, work, 12)
    after, _ = measure(world, work, name)
    assert after == before, f"{name}: {before} queries with few rows, {after} with more"
