"""Survey figures for make bench and make load (issue 12).

- results: GET /api/v1/surveys/{id}/results/?team=<province> of a 10-question survey
  with 100,000 responses from the seeded province's subtree, as a province
  coordinator (target <= 200 ms on PostgreSQL).
- load (bench/load.py): POST .../responses/ under wrk with 16 connections, each
  person's token sent several times: every person is counted exactly once.

The responses are seeded here with COPY (bulk inserts on SQLite): a participation
row per person and the per-team counters and text pools the service keeps, drawn
from a fixed random seed. The survey is found again by its title on later runs.
"""
from __future__ import annotations

import json
import random
import uuid
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.utils import timezone

from scale.writers import TableWriter
from surveys import services
from surveys.models import OptionTally, Participation, Survey, SurveyAudience, TeamTally, TextPool
from teams.choices import Role
from teams.models import Member, Membership

TITLE = "Bench: khảo sát 10 câu"
LOAD_TITLE = "Bench: khảo sát dưới tải"
RESPONSES = 100_000
COORDINATOR_PHONE = "+84960000001"
QUESTIONS = [
    {"kind": "single", "text": "Bạn đã dùng dịch vụ công trực tuyến chưa?", "options": ["Rồi", "Chưa", "Không rõ"]},
    {"kind": "single", "text": "Bạn nắm tin tức chủ yếu qua đâu?", "options": ["Zalo", "Facebook", "TV", "Loa xã"]},
    {"kind": "single", "text": "Gia đình có tài khoản ngân hàng số?", "options": ["Có", "Không"]},
    {"kind": "single", "text": "Thu nhập năm nay so với năm trước?", "options": ["Tăng", "Như cũ", "Giảm"]},
    {"kind": "multiple", "text": "Ứng dụng dùng hằng tuần", "options": ["Zalo", "Facebook", "VNeID", "TikTok", "Mocha"]},
    {"kind": "multiple", "text": "Chủ đề muốn được hướng dẫn", "options": ["Lừa đảo", "Thanh toán", "Dịch vụ công"]},
    {"kind": "scale", "text": "Mức tự tin khi nhận biết tin giả"},
    {"kind": "scale", "text": "Mức hài lòng với hỗ trợ của xã"},
    {"kind": "scale", "text": "Mức hiểu về chuyển đổi số"},
    {"kind": "text", "text": "Góp ý thêm", "required": False},
]
TEXTS = ["Cần hướng dẫn cài VNeID", "Mong có lớp học buổi tối", "Sóng điện thoại yếu", "Cảm ơn đoàn xã",
         "Cần thêm tài liệu bằng tiếng dân tộc", "Hướng dẫn thanh toán điện nước"]


def province_coordinator(province) -> Member:
    member = Member.objects.filter(phone=COORDINATOR_PHONE).first()
    if member is None:
        member = Member.objects.create_user(COORDINATOR_PHONE, None, full_name="Điều phối tỉnh (bench)")
    Membership.objects.get_or_create(member=member, team=province, defaults={"role": Role.COORDINATOR})
    return member


def _survey(province, actor, title) -> Survey:
    survey = Survey.objects.filter(title=title, team=province).first()
    if survey is None:
        survey = services.survey_create(actor=actor, team=province, title=title, questions=QUESTIONS)
        survey = _open_quietly(survey)
    return survey


def _open_quietly(survey) -> Survey:
    """Open without notifying 100,000 people (the bench measures results, not the fan-out)."""
    Survey.objects.filter(pk=survey.pk).update(status="open", opened_at=timezone.now())
    survey.refresh_from_db()
    return survey


def _respondents(province, n):
    return list(Membership.objects.filter(team__path__startswith=province.path, role=Role.MEMBER,
                                          member__is_active=True)
                .order_by("member_id").values_list("member_id", "team_id")[:n])


@transaction.atomic
def seed_responses(survey, province, n=RESPONSES) -> int:
    people = _respondents(province, n)
    if len(people) < n:
        raise RuntimeError(f"the seed has {len(people)} members under the province, fewer than {n}")
    questions = list(survey.questions.order_by("position"))
    rng = random.Random(12)
    teams, options, texts = Counter(), Counter(), defaultdict(list)
    for _member_id, team_id in people:
        teams[team_id] += 1
        for q in questions:
            if q.kind == "single":
                options[(team_id, q.pk, rng.randrange(len(q.options)))] += 1
            elif q.kind == "multiple":
                for key in rng.sample(range(len(q.options)), rng.randint(1, len(q.options))):
                    options[(team_id, q.pk, key)] += 1
            elif q.kind == "scale":
                options[(team_id, q.pk, rng.randint(1, 5))] += 1
            elif rng.random() < 0.3:
                texts[(team_id, q.pk)].append(rng.choice(TEXTS))
    TableWriter(Participation, ["id", "survey", "member"]).write(
        (uuid.uuid4(), survey.pk, member_id) for member_id, _team in people)
    TeamTally.objects.bulk_create([TeamTally(survey=survey, team_id=t, responses=n) for t, n in teams.items()])
    rows = []
    for team_id in teams:
        for q in questions:
            keys = range(len(q.options)) if q.kind in ("single", "multiple") else range(1, 6) if q.kind == "scale" \
                else ()
            rows += [OptionTally(survey=survey, team_id=team_id, question=q, key=k, n=options[(team_id, q.pk, k)])
                     for k in keys]
    OptionTally.objects.bulk_create(rows, batch_size=5000)
    pools = []
    for team_id in teams:
        for q in questions:
            if q.kind == "text":
                answers = texts[(team_id, q.pk)]
                rng.shuffle(answers)
                pools.append(TextPool(survey=survey, team_id=team_id, question=q, answers=answers))
    TextPool.objects.bulk_create(pools)
    return len(people)


def results_survey(seeded) -> tuple[Survey, Member]:
    province = seeded.province
    coordinator = province_coordinator(province)
    survey = _survey(province, coordinator, TITLE)
    have = Participation.objects.filter(survey=survey).count()
    if have != RESPONSES:
        if have:
            raise RuntimeError(f"{TITLE!r} holds {have} responses, not {RESPONSES}: drop it and run again")
        print(f"surveys: seeding {RESPONSES:,} responses ...", flush=True)
        seed_responses(survey, province)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("surveys_participation", "surveys_teamtally", "surveys_optiontally", "surveys_textpool"):
                    cursor.execute(f"VACUUM ANALYZE {table}")
    return survey, coordinator


def load_survey(seeded) -> tuple[Survey, Member]:
    """A fresh open survey for the load run (an earlier run's is closed first)."""
    province = seeded.province
    coordinator = province_coordinator(province)
    Survey.objects.filter(title=LOAD_TITLE, team=province, status="open").update(status="closed")
    survey = services.survey_create(actor=coordinator, team=province, title=LOAD_TITLE, questions=QUESTIONS[:4])
    if not SurveyAudience.objects.filter(survey=survey).exists():
        raise RuntimeError("the load survey has no audience")
    return _open_quietly(survey), coordinator


def load_body(survey) -> str:
    answers = [{"question": q.pk, "choice": q.options[0]} for q in survey.questions.order_by("position")]
    return json.dumps({"answers": answers})
