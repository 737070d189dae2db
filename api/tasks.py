"""Periodic housekeeping for what the api app stores."""
from celery import shared_task

from .idempotency import prune_idempotency_keys as prune


@shared_task
def prune_idempotency_keys() -> int:
    return prune()
