"""Celery tasks: pushes, and the scheduled reminders and digests (see CELERY_BEAT_SCHEDULE)."""
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


@shared_task
def announce_assignments(task_id: int, created_at: str) -> int:
    """Notify everyone a fan-out (or a direct assign) reached at `created_at`.

    Runs after the assign committed, in a worker when a broker is configured, so a
    100,000-member fan-out does not wait for 100,000 notifications.
    """
    from django.utils.dateparse import parse_datetime

    from tasks.models import Assignment

    ids = Assignment.objects.filter(task_id=task_id, created_at=parse_datetime(created_at)).values_list(
        "pk", flat=True
    )
    return len(services.notify_assigned(assignment_ids=list(ids)))


@shared_task
def announce_cancellation(task_id: int, cancelled_at: str) -> int:
    """Notify the people whose unfinished work the task's cancel turned into `cancelled`."""
    from django.utils.dateparse import parse_datetime

    from tasks.models import Assignment, Task

    task = Task.objects.get(pk=task_id)
    ids = Assignment.objects.filter(
        task_id=task_id, status="cancelled", updated_at=parse_datetime(cancelled_at)
    ).values_list("pk", flat=True)
    return len(services.notify_task_cancelled(task=task, assignment_ids=list(ids)))
