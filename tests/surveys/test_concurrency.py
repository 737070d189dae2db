"""Two responses by the same person at the same moment: one is taken, the other is a 409."""
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from surveys import services
from surveys.models import Participation, Survey, TeamTally
from teams.choices import Level, Role
from teams.models import Member
from tests.factories import MemberFactory, MembershipFactory, TeamFactory
from tests.surveys.conftest import QUESTIONS, answers_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_double_answer_arriving_at_once_is_taken_once():
    province = TeamFactory(name="Tỉnh", level=Level.PROVINCE)
    village = TeamFactory(name="Thôn", level=Level.VILLAGE, parent=province)
    admin = MemberFactory(is_superuser=True, is_staff=True)
    people = [MemberFactory() for _ in range(3)]
    for person in people:
        MembershipFactory(member=person, team=village, role=Role.MEMBER)
    survey = services.survey_create(actor=admin, team=province, title="Đua", questions=QUESTIONS)
    survey = services.survey_open(survey=survey, actor=admin)
    body = {"answers": answers_for(survey)}

    def post(i):
        client = APIClient()
        client.force_authenticate(Member.objects.get(pk=people[i % 3].pk))
        return client.post(f"/api/v1/surveys/{survey.pk}/responses/", body, format="json").status_code

    codes = _race(6, post)  # each of three people twice, all at once
    assert sorted(codes) == [201, 201, 201, 409, 409, 409]
    assert Participation.objects.filter(survey=survey).count() == 3
    assert TeamTally.objects.get(survey=survey, team=village).responses == 3
    assert Survey.objects.get(pk=survey.pk).status == "open"
