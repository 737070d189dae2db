"""The console's figures (issue 14), on a commune built for them and rolled back afterwards.

    a commune of 10 villages x 100 members; 10 tasks fanned out to all 1,000 people;
    1,000 completed items waiting for review (100 per task), 3 tasks past due; 60 campaigns;
    an open survey of four questions answered by 200 people (results asked for one village)

Each console page is timed against the API request(s) a client would make for the
same data (same caller, same rows: the console's 50 against `page_size=50`), through
the full stack with Django's test client: a session cookie for the console, a JWT
for the API. Queries are counted the same way. Targets: a console page <= 3 queries
more and <= 1.5x the API's time; the review queue of the 1,000 items <= 300 ms.
"""
from __future__ import annotations

import statistics
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from tasks.models import Assignment, Campaign, Task
from teams.choices import Level, Role
from teams.models import Member, Membership, Team

VILLAGES, PER_VILLAGE, TASKS, COMPLETED_PER_TASK, PAST_DUE = 10, 100, 10, 100, 3
SURVEY_RESPONSES = 200


class Rollback(Exception):
    pass


def _team(name, level, parent):
    team = Team.objects.create(name=name, level=level, parent=parent)
    team.path = f"{parent.path if parent else '/'}{team.pk}/"
    team.save(update_fields=["path"])
    return team


def build(stamp: str) -> dict:
    province = _team(f"Bench console {stamp}", Level.PROVINCE, None)
    district = _team("Huyện", Level.DISTRICT, province)
    commune = _team("Xã", Level.COMMUNE, district)
    villages = [_team(f"Thôn {n}", Level.VILLAGE, commune) for n in range(1, VILLAGES + 1)]
    password = make_password("bench-console-pass")
    base = 990_000_000 + int(stamp[-5:]) * 10_000 % 9_000_000
    people = Member.objects.bulk_create([
        Member(phone=f"+84{base + n}", full_name=f"Thành viên {n}", password=password, search_name=f"thanh vien {n}")
        for n in range(VILLAGES * PER_VILLAGE + 1)
    ])
    coordinator, members = people[0], people[1:]
    Membership.objects.create(member=coordinator, team=commune, role=Role.COORDINATOR)
    Membership.objects.bulk_create([
        Membership(member=m, team=villages[i // PER_VILLAGE], role=Role.MEMBER) for i, m in enumerate(members)
    ])
    now = timezone.now()
    tasks = Task.objects.bulk_create([
        Task(title=f"Nhiệm vụ {n}", kind="share", platform="facebook", team=commune, created_by=coordinator,
             instructions="Chia sẻ bài viết.", reference_url="https://example.org/p",
             due_at=now + (timedelta(hours=-2) if n < PAST_DUE else timedelta(days=2)))
        for n in range(TASKS)
    ])
    rows = []
    for t, task in enumerate(tasks):
        for i, member in enumerate(members):
            done = t * COMPLETED_PER_TASK <= i < (t + 1) * COMPLETED_PER_TASK
            rows.append(Assignment(task=task, assignee=member, team=villages[i // PER_VILLAGE],
                                   status="completed" if done else "assigned", created_at=now,
                                   evidence_url="https://facebook.com/p/1" if done else "",
                                   completed_at=now if done else None))
    Assignment.objects.bulk_create(rows, batch_size=5000)
    Campaign.objects.bulk_create([Campaign(name=f"Chiến dịch {n}", search_name=f"chien dich {n}", team=commune,
                                           created_by=coordinator) for n in range(60)])
    survey = _survey(commune, coordinator, members[1:SURVEY_RESPONSES + 1])
    return {"commune": commune, "coordinator": coordinator, "member": members[0], "survey": survey,
            "village": villages[0]}


def _survey(commune, coordinator, respondents):
    """An open survey to the commune, answered through the service by SURVEY_RESPONSES people."""
    from surveys import services as survey_services

    survey = survey_services.survey_create(actor=coordinator, team=commune, title="Khảo sát kỹ năng số", questions=[
        {"kind": "single", "text": "Bạn đã dùng dịch vụ công trực tuyến chưa?", "options": ["Có", "Chưa"]},
        {"kind": "multiple", "text": "Ứng dụng nào bạn dùng hằng tuần?", "options": ["Zalo", "Facebook", "VNeID"]},
        {"kind": "scale", "text": "Mức tự tin khi nhận biết tin giả"},
        {"kind": "text", "text": "Góp ý của bạn", "required": False}])
    survey = survey_services.survey_open(survey=survey, actor=coordinator)
    single, multiple, scale, text = survey.questions.order_by("position")
    for n, person in enumerate(respondents):
        survey_services.survey_respond(survey=survey, actor=person, answers=[
            {"question": single.pk, "choice": "Có" if n % 3 else "Chưa"},
            {"question": multiple.pk, "choices": ["Zalo", "VNeID"] if n % 2 else ["Facebook"]},
            {"question": scale.pk, "value": 1 + n % 5}, {"question": text.pk, "text": f"Góp ý số {n}"}])
    return survey


def _ok(response, url):
    assert response.status_code == 200, f"{url}: {response.status_code} {response.content[:200]!r}"


def _timed_pair(console_get, page_url, api_get, api_urls, repeats):
    """Median ms of the console page and of the API request(s), taken in turns so that
    a busy machine slows both sides alike."""
    console_samples, api_samples = [], []
    for n in range(repeats + 2):
        started = time.perf_counter()
        _ok(console_get(page_url), page_url)
        between = time.perf_counter()
        for url in api_urls:
            _ok(api_get(url), url)
        ended = time.perf_counter()
        if n >= 2:  # two warm-ups
            console_samples.append((between - started) * 1000)
            api_samples.append((ended - between) * 1000)
    return statistics.median(console_samples), statistics.median(api_samples)


def _queries(get, url):
    with CaptureQueriesContext(connection) as queries:
        get(url)
    return len(queries)


def measure(out: dict, details: dict, repeats: int = 11) -> None:
    stamp = str(int(time.time()))
    try:
        with transaction.atomic():
            world = build(stamp)
            _measure(world, out, details, repeats)
            raise Rollback
    except Rollback:
        pass


def _measure(world, out, details, repeats):
    commune, coordinator, member = world["commune"], world["coordinator"], world["member"]
    survey, village = world["survey"], world["village"]
    now = (timezone.now()).isoformat().replace("+", "%2B")
    pairs = {
        # page: (caller, console URL, API URLs showing the same data)
        "review_queue": (coordinator, "/console/review/", ["/api/v1/assignments/?status=completed&page_size=50"]),
        "my_tasks": (member, "/console/mine/?show=all", ["/api/v1/assignments/?mine=true&page_size=50"]),
        "overdue": (coordinator, "/console/overdue/", [f"/api/v1/assignments/?due_before={now}&page_size=50"]),
        "team": (coordinator, f"/console/teams/{commune.pk}/",
                 [f"/api/v1/teams/{commune.pk}/stats/", f"/api/v1/teams/{commune.pk}/stats/children/"]),
        "tasks": (coordinator, "/console/tasks/", ["/api/v1/tasks/?page_size=50"]),
        "members": (coordinator, "/console/members/", ["/api/v1/members/?page_size=50"]),
        "campaigns": (coordinator, "/console/campaigns/", ["/api/v1/campaigns/?page_size=50"]),
        "surveys": (member, "/console/surveys/", ["/api/v1/surveys/?mine=true&page_size=50",
                                                   "/api/v1/surveys/?page_size=50"]),
        "survey": (member, f"/console/surveys/{survey.pk}/", [f"/api/v1/surveys/{survey.pk}/"]),
        "survey_results": (coordinator, f"/console/surveys/{survey.pk}/results/?team={village.pk}",
                           [f"/api/v1/surveys/{survey.pk}/results/?team={village.pk}"]),
    }
    pages, info = {}, {}
    for name, (caller, page_url, api_urls) in pairs.items():
        browser = Client()
        browser.force_login(caller)
        header = f"Bearer {AccessToken.for_user(caller)}"
        api = Client(HTTP_AUTHORIZATION=header)
        console_ms, api_ms = _timed_pair(browser.get, page_url, api.get, api_urls, repeats)
        console_q = _queries(browser.get, page_url)
        api_q = sum(_queries(api.get, url) for url in api_urls)
        pages[name] = {"console_ms": round(console_ms, 2), "api_ms": round(api_ms, 2),
                       "ratio": round(console_ms / api_ms, 2), "console_queries": console_q,
                       "api_queries": api_q, "extra_queries": console_q - api_q}
        info[name] = {"console": page_url, "api": api_urls}
    out["pages"] = pages
    out["review_queue_1000_ms"] = pages["review_queue"]["console_ms"]
    out["max_ratio"] = max(p["ratio"] for p in pages.values())
    out["max_extra_queries"] = max(p["extra_queries"] for p in pages.values())
    details["console"] = {
        "shape": f"1 commune, {VILLAGES} villages x {PER_VILLAGE} members, {TASKS} tasks to everyone, "
                 f"{TASKS * COMPLETED_PER_TASK} completed waiting for review, {PAST_DUE} tasks past due, "
                 f"a survey answered by {SURVEY_RESPONSES}",
        "completed_in_queue": Assignment.objects.filter(team__path__startswith=commune.path, status="completed").count(),
        "urls": info,
        "how": "Django test client through the whole stack; console with a session, API with a JWT; "
               "the page and its API request(s) timed in turns, median of the runs after 2 warm-ups; "
               "the commune is rolled back afterwards",
    }
