"""The background fan-out figure (issue 16): one assign that reaches 1,000,000 people.

    province > 1 district > 10 communes > 100 villages each > 1,000 members each
    (scale.seeding, shape D1-C10-V100-M1000-T0-F0: 1,000,000 people, no tasks)

`task_assign` past ASSIGN_BACKGROUND_THRESHOLD answers at once with a job (the 202 of
`POST /tasks/{id}/assign/`): that answer is timed first. Then the job's batches are run by
`api.jobs.job_run`, the function a Celery worker runs for it, and timed: rows per second
of the whole fan-out. Both run in one transaction that is rolled back, so the seed stays
as it is (each batch, a commit of its own in production, is a savepoint here); the deferred
foreign-key checks are fired inside the timing. That a job picked up again after a worker
is killed finishes once, with no duplicates, is shown by
tests/tasks/test_background_assign.py, not timed here.
"""
from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from api.jobs import job_run
from scale.seeding import Shape, find_seeded, seed_scale
from tasks.models import Assignment, Task

SHAPE = Shape(1, 10, 100, 1000, 0, 0)
PASSWORD = "scale-2026-pass"


class Rollback(Exception):
    pass


def _seeded(log):
    seeded = find_seeded(SHAPE)
    if seeded is None:
        log(f"seed: {SHAPE.label}, {SHAPE.members_per_district:,} people ...")
        seeded = seed_scale(SHAPE, password=PASSWORD, log=log)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE teams_membership")
                cursor.execute("VACUUM ANALYZE teams_member")
    return seeded


def measure(out: dict, details: dict, log=print) -> None:
    from tasks.services import task_assign

    seeded = _seeded(log)
    district, coordinator = seeded.districts[0], seeded.district_coordinators[0]
    info = details.setdefault("fanout_background", {})
    info["own_seed"] = SHAPE.label
    info["how"] = ("tasks.services.task_assign past ASSIGN_BACKGROUND_THRESHOLD (the request's answer, a "
                   "queued job), then api.jobs.job_run (what the worker runs: batches of ASSIGN_BATCH_SIZE), "
                   "in one transaction rolled back afterwards; deferred foreign-key checks fired in the timing")
    try:
        with transaction.atomic():
            task = Task.objects.create(
                title="Bench background fan-out", kind="share", platform="facebook", team=district,
                created_by=coordinator, due_at=timezone.now() + timedelta(days=1),
            )
            started = time.perf_counter()
            result = task_assign(task=task, teams=[district], members=[], actor=coordinator)
            answered = time.perf_counter() - started
            job = getattr(result, "job", None)
            if job is None:
                raise RuntimeError(f"task_assign did not hand the fan-out to a job: {result!r}")
            started = time.perf_counter()
            status = job_run(job.pk)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            ran = time.perf_counter() - started
            job.refresh_from_db()
            created = Assignment.objects.filter(task=task).count()
            distinct = Assignment.objects.filter(task=task).values("assignee_id").distinct().count()
            info["job"] = {"status": status, "done": job.done, "total": job.total, "result": job.result}
            raise Rollback
    except Rollback:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tasks_assignment")
    out["people"] = SHAPE.members_per_district
    out["answer_s"] = round(answered, 3)
    out["assignments"] = created
    out["once_each"] = created == distinct == SHAPE.members_per_district
    out["job_seconds"] = round(ran, 2)
    out["rows_per_s"] = round(created / ran) if ran else None
