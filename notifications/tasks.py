"""Celery tasks: pushes, and the scheduled reminders and digests (see CELERY_BEAT_SCHEDULE).

Notifications for task events arrive through the outbox (notifications/consumers.py).
"""
from celery import shared_task

from . import push, services


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def deliver_push(notification_ids: list[int]) -> int:
    return push.deliver(notification_ids)


@shared_task
def send_deadline_reminders_task() -> dict[str, int]:
    return services.send_deadline_reminders()


@shared_task
def send_overdue_digests_task() -> int:
    return len(services.send_overdue_digests())
