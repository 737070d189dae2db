from celery import shared_task

from .subscriptions import reports_deliver_due


@shared_task
def deliver_due_reports_task() -> int:
    """The beat (hourly): every subscription's last finished period, made once."""
    return reports_deliver_due()
