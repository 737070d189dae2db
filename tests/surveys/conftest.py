"""Surveys on top of the shared world (tests/conftest.py).

`survey_factory(team=..., audience=[...], anonymous=..., open=True)` plans a survey
through the services with one question of every kind:
    single   "Bạn đã dùng dịch vụ công trực tuyến chưa?"  options Có / Chưa / Không biết
    multiple "Ứng dụng nào bạn dùng hằng tuần?"          options Zalo / Facebook / VNeID
    scale    "Mức tự tin khi nhận biết tin giả"          1-5
    text     "Góp ý của bạn" (optional)
`answer(survey, person, single=..., multiple=[...], scale=..., text=...)` posts a response.
"""
from types import SimpleNamespace

import pytest

from surveys import services
from teams.choices import Role
from tests.factories import MemberFactory, MembershipFactory

QUESTIONS = [
    {"kind": "single", "text": "Bạn đã dùng dịch vụ công trực tuyến chưa?", "options": ["Có", "Chưa", "Không biết"]},
    {"kind": "multiple", "text": "Ứng dụng nào bạn dùng hằng tuần?", "options": ["Zalo", "Facebook", "VNeID"]},
    {"kind": "scale", "text": "Mức tự tin khi nhận biết tin giả"},
    {"kind": "text", "text": "Góp ý của bạn", "required": False},
]


@pytest.fixture
def survey_factory(world):
    def make(team=None, audience=None, anonymous=True, open=True, actor=None, questions=QUESTIONS, **fields):
        team = team or world.c1
        survey = services.survey_create(actor=actor or world.superuser, team=team, title=fields.pop("title", "Khảo sát chuyển đổi số"),
                                        anonymous=anonymous, audience=audience, questions=questions, **fields)
        if open:
            survey = services.survey_open(survey=survey, actor=actor or world.superuser)
        return survey

    return make


def questions_of(survey) -> SimpleNamespace:
    qs = list(survey.questions.order_by("position"))
    return SimpleNamespace(single=qs[0], multiple=qs[1], scale=qs[2], text=qs[3])


def answers_for(survey, single="Có", multiple=("Zalo",), scale=3, text=None) -> list[dict]:
    q = questions_of(survey)
    answers = [{"question": q.single.pk, "choice": single}, {"question": q.multiple.pk, "choices": list(multiple)},
               {"question": q.scale.pk, "value": scale}]
    if text is not None:
        answers.append({"question": q.text.pk, "text": text})
    return answers


@pytest.fixture
def answer(client_for):
    def post(survey, person, **kwargs):
        return client_for(person).post(f"/api/v1/surveys/{survey.pk}/responses/",
                                       {"answers": answers_for(survey, **kwargs)}, format="json")

    return post


@pytest.fixture
def people_in(db):
    """`people_in(team, n)`: n new active members of `team`."""

    def make(team, n, role=Role.MEMBER):
        out = []
        for _ in range(n):
            person = MemberFactory()
            MembershipFactory(member=person, team=team, role=role)
            out.append(person)
        return out

    return make
