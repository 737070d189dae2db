"""Celery tasks: pushes, and the scheduled reminders and digests (see CELERY_BEAT_SCHEDULE).

Notifications for task events arrive through the outbox (notifications/consumers.py).
"""
from celery import shared_task
from django.db import DatabaseError

from . import push, services

# The schedule runs these once (the digest once a day): a database that is away when they
# fire must not skip them, so they retry with backoff; both are idempotent by key.
SCHEDULED = {"autoretry_for": (DatabaseError,), "retry_backoff": 5, "retry_backoff_max": 300, "max_retries": 12,
             "acks_late": True, "reject_on_worker_lost": True}


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def deliver_push(notification_ids: list[int]) -> int:
    return push.deliver(notification_ids)


@shared_task(**SCHEDULED)
def send_deadline_reminders_task() -> dict[str, int]:
    return services.send_deadline_reminders()


@shared_task(**SCHEDULED)
def send_overdue_digests_task() -> int:
    return len(services.send_overdue_digests())


@shared_task(**SCHEDULED)
def send_review_waiting_task() -> int:
    """Coordinators' hourly-at-most news of work waiting for review (what a completion's
    own notification held back is sent here once the hour has passed)."""
    return len(services.notify_review_waiting())
