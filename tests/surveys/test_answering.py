"""Answering: the audience (judged when they read or answer), once, with answers that fit."""
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Participation, Survey, TeamTally
from teams.choices import Role
from teams.models import Membership
from tests.factories import MembershipFactory
from tests.surveys.conftest import answers_for, questions_of

pytestmark = pytest.mark.django_db


def _mine(client):
    return {row["id"] for row in client.get("/api/v1/surveys/", {"mine": "true"}).json()["results"]}


def test_a_member_lists_what_they_still_have_to_answer_and_answers_once(world, client_for, survey_factory, answer):
    survey = survey_factory(team=world.c1)
    other = survey_factory(team=world.c1, title="Khảo sát thứ hai")
    member = client_for(world.member_v1a)
    assert _mine(member) == {survey.pk, other.pk}

    first = answer(survey, world.member_v1a, text="Cần hướng dẫn VNeID")
    assert first.status_code == 201, first.content
    assert first.json() == {"survey": survey.pk, "team": world.v1a.pk}
    assert _mine(member) == {other.pk}
    assert member.get(f"/api/v1/surveys/{survey.pk}/").json()["answered"] is True

    second = answer(survey, world.member_v1a, single="Chưa")
    assert second.status_code == 409
    assert second.json()["code"] == "already_answered"
    assert Participation.objects.filter(survey=survey).count() == 1
    assert TeamTally.objects.get(survey=survey).responses == 1


def test_drafts_are_invisible_to_the_audience(world, client_for, survey_factory):
    draft = survey_factory(team=world.c1, open=False)
    assert client_for(world.member_v1a).get(f"/api/v1/surveys/{draft.pk}/").status_code == 404
    assert client_for(world.member_v1a).post(f"/api/v1/surveys/{draft.pk}/responses/", {"answers": []},
                                             format="json").status_code == 404


def test_a_closed_survey_is_a_409(world, client_for, survey_factory, answer):
    survey = survey_factory(team=world.c1)
    client_for(world.coord_c1).post(f"/api/v1/surveys/{survey.pk}/close/")
    response = answer(survey, world.member_v1a)
    assert response.status_code == 409
    assert _mine(client_for(world.member_v1a)) == set()


def test_an_answer_after_closes_at_is_a_409_even_before_the_clock_runs(world, survey_factory, answer):
    survey = survey_factory(team=world.c1, closes_at=timezone.now() + timedelta(hours=1))
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert answer(survey, world.member_v1a).status_code == 409
    survey.refresh_from_db()
    assert survey.status == "closed"


def test_people_outside_the_audience_cannot_answer(world, client_for, survey_factory, answer):
    survey = survey_factory(team=world.c1, audience=[world.v1a])
    assert client_for(world.member_v1b).get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert answer(survey, world.member_v1b).status_code == 404
    assert answer(survey, world.member_v2a).status_code == 404
    # The coordinator of c1 sees the survey (it is theirs) but is not asked: 403, before the body.
    refused = client_for(world.coord_c1).post(f"/api/v1/surveys/{survey.pk}/responses/", {"garbage": True},
                                              format="json")
    assert refused.status_code == 403


def test_someone_who_joins_while_it_is_open_may_answer_and_someone_who_left_may_not(
        world, client_for, survey_factory, answer):
    survey = survey_factory(team=world.c1, audience=[world.v1a])
    MembershipFactory(member=world.member_v1b, team=world.v1a, role=Role.MEMBER)  # joins Thôn 1
    assert survey.pk in _mine(client_for(world.member_v1b))
    assert answer(survey, world.member_v1b).status_code == 201

    Membership.objects.filter(member=world.member_v1a_2, team=world.v1a).delete()  # leaves
    assert client_for(world.member_v1a_2).get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert answer(survey, world.member_v1a_2).status_code == 404


def test_the_response_counts_under_the_deepest_of_the_persons_teams_in_the_audience(world, survey_factory, answer):
    survey = survey_factory(team=world.district, audience=[world.district])
    MembershipFactory(member=world.coord_c1, team=world.v1b, role=Role.MEMBER)
    response = answer(survey, world.coord_c1)
    assert response.json()["team"] == world.v1b.pk


@pytest.mark.parametrize("change,where", [
    (lambda q, a: a[0].update(choice="Có lẽ"), "answers.0.choice"),
    (lambda q, a: a[1].update(choices=["Zalo", "TikTok"]), "answers.1.choices"),
    (lambda q, a: a[1].update(choices=[]), "answers.1.choices"),
    (lambda q, a: a[2].update(value=6), "answers.2.value"),
    (lambda q, a: a[2].update(value=0), "answers.2.value"),
    (lambda q, a: a[2].update(value=None, choice="3"), "answers.2.value"),
    (lambda q, a: a.pop(0), "answers"),  # a required question left out
    (lambda q, a: a.append({"question": q.single.pk, "choice": "Có"}), "answers.3.question"),  # twice
    (lambda q, a: a.append({"question": 987654, "text": "?"}), "answers.3.question"),
    (lambda q, a: a.append({"question": q.text.pk, "text": "x" * 2001}), "answers.3.text"),
])
def test_an_answer_that_does_not_fit_its_question_is_a_400_naming_it(
        world, client_for, survey_factory, change, where):
    survey = survey_factory(team=world.c1)
    body = answers_for(survey)
    change(questions_of(survey), body)
    response = client_for(world.member_v1a).post(f"/api/v1/surveys/{survey.pk}/responses/", {"answers": body},
                                                 format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert where in errors, errors
    assert Participation.objects.count() == 0


def test_the_message_names_the_question_in_both_languages(world, client_for, survey_factory):
    survey = survey_factory(team=world.c1)
    body = answers_for(survey, scale=6)
    scale = questions_of(survey).scale.pk
    for language, words in [("en", "whole number from 1 to 5"), ("vi", "số nguyên từ 1 đến 5")]:
        response = client_for(world.member_v1a).post(f"/api/v1/surveys/{survey.pk}/responses/", {"answers": body},
                                                     format="json", HTTP_ACCEPT_LANGUAGE=language)
        message = response.json()["errors"]["answers.2.value"][0]
        assert str(scale) in message and words in message, message


def test_the_optional_text_may_be_left_out(world, survey_factory, answer):
    survey = survey_factory(team=world.c1)
    assert answer(survey, world.member_v1a).status_code == 201
