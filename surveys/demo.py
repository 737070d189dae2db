"""Demo surveys on top of the demo network (seed_demo): one open, one closed, each
with enough answers (at least 5 in every group shown) for its results to show.

Everything goes through the services. Running it again changes nothing: a survey
that already exists (same title and team) is left as it is.
"""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from teams.choices import Role
from teams.demo import PROVINCE
from teams.models import Member, Membership

from . import services
from .choices import SurveyStatus
from .models import Survey

DEMO_PASSWORD = "demo-2026-pass"
OPEN_TITLE = "Nhận thức về chuyển đổi số"
CLOSED_TITLE = "Kinh tế hộ gia đình sau mùa vụ"
# Extra members who answer: (phone, name, village); the demo logins answer too.
RESPONDENTS = [
    *[(f"09120001{n:02d}", f"Thành viên Thôn 1 số {n}", "Thôn 1") for n in range(1, 5)],
    *[(f"09120002{n:02d}", f"Thành viên Thôn 2 số {n}", "Thôn 2") for n in range(1, 6)],
    *[(f"09120003{n:02d}", f"Thành viên Thôn 3 số {n}", "Thôn 3") for n in range(1, 4)],
    *[(f"09120004{n:02d}", f"Thành viên Thôn 4 số {n}", "Thôn 4") for n in range(1, 6)],
]
QUESTIONS = [
    {"kind": "single", "text": "Bạn đã dùng dịch vụ công trực tuyến chưa?",
     "options": ["Đã dùng", "Chưa dùng", "Không biết"]},
    {"kind": "multiple", "text": "Bạn dùng những ứng dụng nào hằng tuần?",
     "options": ["Zalo", "Facebook", "VNeID", "Ngân hàng số"]},
    {"kind": "scale", "text": "Bạn tự tin thế nào khi nhận biết tin giả? (1-5)"},
    {"kind": "text", "text": "Bạn cần được hướng dẫn thêm về điều gì?", "required": False},
]
CLOSED_QUESTIONS = [
    {"kind": "single", "text": "Thu nhập của gia đình so với năm ngoái?", "options": ["Tăng", "Như cũ", "Giảm"]},
    {"kind": "scale", "text": "Mức hài lòng với hỗ trợ của xã (1-5)"},
]
TEXTS = ["Cách cài VNeID mức 2", "Thanh toán không dùng tiền mặt", "Nhận biết lừa đảo qua điện thoại", ""]


def _person(phone, name, team):
    member = Member.objects.filter(phone=f"+84{phone[1:]}").first()
    if member is None:
        member = Member.objects.create_user(phone, DEMO_PASSWORD, full_name=name)
    Membership.objects.get_or_create(member=member, team=team, defaults={"role": Role.MEMBER})
    return member


def _answers(survey, n: int) -> list[dict]:
    q = list(survey.questions.order_by("position"))
    answers = []
    for question in q:
        if question.kind == "single":
            answers.append({"question": question.pk, "choice": question.options[n % len(question.options)]})
        elif question.kind == "multiple":
            answers.append({"question": question.pk, "choices": question.options[: 1 + n % len(question.options)]})
        elif question.kind == "scale":
            answers.append({"question": question.pk, "value": 1 + (n * 3) % 5})
        elif TEXTS[n % len(TEXTS)]:
            answers.append({"question": question.pk, "text": TEXTS[n % len(TEXTS)]})
    return answers


@transaction.atomic
def seed_surveys(teams, stdout=None) -> None:
    district = teams[PROVINCE]
    coordinator = Member.objects.get(phone="+84912000002")
    people = [_person(phone, name, teams[village]) for phone, name, village in RESPONDENTS]
    now = timezone.now()

    if not Survey.objects.filter(title=CLOSED_TITLE, team=district).exists():
        survey = services.survey_create(actor=coordinator, team=district, title=CLOSED_TITLE, anonymous=True,
                                        description="Khảo sát nhanh sau vụ cà phê.", questions=CLOSED_QUESTIONS)
        survey = services.survey_open(survey=survey, actor=coordinator)
        for n, person in enumerate(people):
            services.survey_respond(survey=survey, actor=person, answers=_answers(survey, n))
        services.survey_close(survey=survey, actor=coordinator)

    if not Survey.objects.filter(title=OPEN_TITLE, team=district).exists():
        survey = services.survey_create(
            actor=coordinator, team=district, title=OPEN_TITLE, anonymous=True, questions=QUESTIONS,
            description="Giúp tỉnh đoàn chuẩn bị các buổi hướng dẫn kỹ năng số.", closes_at=now + timedelta(days=7),
        )
        survey = services.survey_open(survey=survey, actor=coordinator)
        # The demo logins (0912000011 and up) are left to answer it themselves.
        for n, person in enumerate(people):
            services.survey_respond(survey=survey, actor=person, answers=_answers(survey, n + 1))
    if stdout is not None:
        shown = Survey.objects.filter(team=district, status__in=[SurveyStatus.OPEN, SurveyStatus.CLOSED]).count()
        stdout.write(f"Demo surveys: {shown} (one open, one closed), answered by {len(people)} demo members.")
