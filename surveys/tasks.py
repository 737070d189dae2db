"""Celery: the survey clock (see CELERY_BEAT_SCHEDULE in api/settings.py)."""
from celery import shared_task

from . import services


@shared_task
def survey_clock_task() -> dict[str, int]:
    return services.survey_clock()
