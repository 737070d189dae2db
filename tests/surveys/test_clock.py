"""The beat job: opens at opens_at, closes at closes_at, reminds the day before closing."""
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from surveys import services
from surveys.models import Survey

pytestmark = pytest.mark.django_db


def test_the_clock_opens_and_closes_surveys_on_time(world, survey_factory):
    now = timezone.now()
    later = survey_factory(open=False, opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=3))
    assert services.survey_clock(now=now) == {"opened": 0, "closed": 0, "reminded": 0}
    assert services.survey_clock(now=now + timedelta(hours=1))["opened"] == 1
    later.refresh_from_db()
    assert later.status == "open"
    assert Notification.objects.filter(kind="survey_opened").count() == 5  # c1's active people
    assert services.survey_clock(now=now + timedelta(days=3))["closed"] == 1
    later.refresh_from_db()
    assert later.status == "closed"
    assert services.survey_clock(now=now + timedelta(days=4)) == {"opened": 0, "closed": 0, "reminded": 0}


def test_a_draft_past_its_opening_time_opens_when_someone_answers_before_the_clock(world, survey_factory, answer):
    survey = survey_factory(open=False, closes_at=timezone.now() + timedelta(days=1))
    Survey.objects.filter(pk=survey.pk).update(opens_at=timezone.now() - timedelta(minutes=1))
    assert answer(survey, world.member_v1a).status_code == 201
    survey.refresh_from_db()
    assert survey.status == "open"


def test_the_reminder_goes_once_a_day_before_closing_to_those_who_have_not_answered(
        world, survey_factory, answer, client_for):
    now = timezone.now()
    survey = survey_factory(closes_at=now + timedelta(days=2))
    answer(survey, world.member_v1a)
    assert services.survey_clock(now=now)["reminded"] == 0  # two days ahead: not yet
    done = services.survey_clock(now=now + timedelta(days=1, minutes=1))
    reminded = set(Notification.objects.filter(kind="survey_reminder").values_list("recipient_id", flat=True))
    assert reminded == {world.coord_c1.pk, world.coord_v1a.pk, world.member_v1a_2.pk, world.member_v1b.pk}
    assert done["reminded"] == 4
    assert services.survey_clock(now=now + timedelta(days=1, minutes=30))["reminded"] == 0  # once
    body = client_for(world.member_v1b).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["results"][0]["title"] == "Survey closing soon"
    assert "Khảo sát chuyển đổi số" in body["results"][0]["body"]


def test_the_clock_runs_as_a_celery_task_on_the_beat_schedule(settings):
    from surveys.tasks import survey_clock_task

    assert settings.CELERY_BEAT_SCHEDULE["survey-clock"]["task"] == survey_clock_task.name
