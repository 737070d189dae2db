"""Periodic housekeeping for what the api app stores, and the outbox's tasks."""
from celery import shared_task

from .idempotency import prune_idempotency_keys as prune
from .jobs import job_execute, jobs_relay_task
from .outbox import outbox_deliver, outbox_relay, prune_done

__all__ = ["job_execute", "jobs_relay_task", "outbox_deliver", "outbox_relay", "prune_idempotency_keys",
           "prune_outbox"]


@shared_task
def prune_idempotency_keys() -> int:
    return prune()


@shared_task
def prune_outbox() -> int:
    return prune_done()
