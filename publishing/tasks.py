"""Celery tasks of the publishing app (see CELERY_BEAT_SCHEDULE)."""
from celery import shared_task
from django.db import DatabaseError

from . import services


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=5, retry_backoff_max=300, max_retries=12,
             acks_late=True, reject_on_worker_lost=True)
def run_due_schedules() -> int:
    """Make the task of every schedule whose occurrence has come (once each, however many runs race)."""
    return len(services.schedules_run_due())
