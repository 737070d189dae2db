"""The one publication rule (`publish_at`), as a query filter and as a predicate, side by side.

A task is published when it has no `publish_at` or its `publish_at` has passed.
Until then its assignees see neither the task nor their assignments (404 on a
detail, absent from lists and deltas) and nothing is sent to them; its
coordinators and observers see it all along. At `publish_at` the beat
(`tasks.tasks.publish_due_tasks`) announces it once: the task's `updated_at`
moves, so every phone's next delta brings it, and the assignees are notified
through the outbox (`tasks.published`), under the same keys as an assignment's
news, so nobody hears of it twice.

Readers: the scope of assignees (tasks/access.py), the notifications' consumers
and reminders, and the API's `is_published`.
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone


def published_q(now: datetime | None = None, prefix: str = "") -> Q:
    """Published tasks (`prefix` reaches them through a relation, e.g. `task__`)."""
    return Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now or timezone.now()})


def is_published(task, now: datetime | None = None) -> bool:
    return task.publish_at is None or task.publish_at <= (now or timezone.now())


def was_announced(task) -> bool:
    """Its assignees were told of it: it never waited for a `publish_at`, or the beat announced it.
    (A task cancelled before its announcement never is: its assignees hear nothing of it.)"""
    return task.publish_at is None or task.announced_at is not None
