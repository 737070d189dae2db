"""Background jobs: work too big for one request, done by a worker in batches.

A service that finds its work too big (a fan-out past ASSIGN_BACKGROUND_THRESHOLD
people) calls `job_start(kind=..., params=..., total=..., actor=...)` inside its
own transaction and answers 202 with the job. Once that transaction commits the
job is handed to Celery (run in place when no broker is configured, like the
outbox). The app that owns the kind registers its batch from `AppConfig.ready()`:

    register("tasks.assign", step)   # step(job) -> Step

`job_run(job_id)` takes the job's lease and calls `step(job)` in a transaction of
its own, again and again: the batch's writes, the job's new `cursor` and `done`
and the renewed lease commit together. A worker killed mid-batch leaves that
batch uncommitted (nothing of it happened) and the job's cursor at the last
committed one; once the lease runs out (JOB_LEASE_SECONDS) the relay
(`jobs_relay`, on the beat schedule) hands the job over again and the next
worker resumes there. So every batch is done exactly once, and a step must only
be deterministic given the cursor (the writes it makes are also guarded by the
database's unique constraints).

`GET /api/v1/jobs/{id}/` shows a job to the person who started it and to superusers.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)


@dataclass
class Step:
    """What one batch did: how many more units are done, where the next starts,
    and (when `finished`) the job's result."""

    done: int
    cursor: dict = field(default_factory=dict)
    finished: bool = False
    result: dict | None = None


class JobFailed(Exception):
    """Raised by a step when the job cannot go on (its message becomes `error`)."""


StepFn = Callable[[Job], Step]
_steps: dict[str, StepFn] = {}


def register(kind: str, step: StepFn) -> None:
    _steps[kind] = step


def _lease() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def job_start(*, kind: str, params: dict, total: int, actor) -> Job:
    """A queued job of `kind`, handed to a worker once the caller's transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("job_start() belongs inside the transaction of the request that owes the work.")
    if kind not in _steps:
        raise LookupError(f"no step is registered for job kind {kind!r}")
    job = Job.objects.create(kind=kind, params=params, total=total, started_by=actor)
    transaction.on_commit(lambda: hand_over(job.pk), robust=True)
    return job


def _eager() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def hand_over(job_id: int) -> None:
    if _eager():
        try:
            job_run(job_id)
        except Exception:  # left to the relay (a broker-less setup runs the relay by hand: `manage.py jobs`)
            logger.exception("job %s failed in place; it is left to the relay", job_id)
        return
    try:
        job_execute.apply_async((job_id,), retry=False)
    except Exception as exc:  # broker down: the relay hands it over later
        logger.warning("job %s: broker refused (%s); the relay hands it over", job_id, exc.__class__.__name__)


def _claim(job_id: int) -> bool:
    """Take the job's lease if it is free (queued, or running with a lease that ran out)."""
    now = timezone.now()
    return bool(Job.objects.filter(pk=job_id).filter(
        Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, lease_until__lt=now)
    ).update(status=Job.Status.RUNNING, lease_until=now + _lease(), attempts=F("attempts") + 1))


def job_run(job_id: int) -> str:
    """Run a job's batches until it is finished; returns its status. A job someone else
    holds (an unexpired lease) or that is finished is left alone."""
    if not _claim(job_id):
        return Job.objects.filter(pk=job_id).values_list("status", flat=True).first() or "missing"
    while True:
        try:
            with transaction.atomic():
                job = Job.objects.select_for_update().get(pk=job_id)
                if job.status != Job.Status.RUNNING:
                    return job.status
                step = _steps[job.kind](job)
                now = timezone.now()
                job.done += step.done
                job.cursor = step.cursor
                job.lease_until = now + _lease()
                if step.finished:
                    job.status, job.result, job.finished_at, job.lease_until = Job.Status.DONE, step.result, now, None
                job.save(update_fields=["done", "cursor", "lease_until", "status", "result", "finished_at"])
            if step.finished:
                return Job.Status.DONE
        except JobFailed as exc:
            Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, error=str(exc)[:500],
                                                 finished_at=timezone.now(), lease_until=None)
            return Job.Status.FAILED


@shared_task(acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(DatabaseError, ConnectionError, TimeoutError),
             retry_backoff=2, retry_backoff_max=60, max_retries=10)
def job_execute(job_id: int) -> str:
    return job_run(job_id)


def jobs_relay() -> int:
    """Hand over again every job nobody holds: queued, or running with a lease that ran out."""
    now = timezone.now()
    ids = list(Job.objects.filter(Q(status=Job.Status.QUEUED, created_at__lt=now - timedelta(seconds=5))
                                  | Q(status=Job.Status.RUNNING, lease_until__lt=now))
               .values_list("pk", flat=True)[:100])
    for job_id in ids:
        hand_over(job_id)
    return len(ids)


@shared_task
def jobs_relay_task() -> int:
    return jobs_relay()
