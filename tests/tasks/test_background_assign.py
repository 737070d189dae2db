"""Past ASSIGN_BACKGROUND_THRESHOLD people an assign answers 202 with a job that a worker
does in batches; a job picked up again after a crash finishes once."""
import pytest
from django.db import connection

from api import jobs
from api.models import Job
from tasks import services
from tasks.models import Assignment
from teams import services as team_services
from teams.choices import Level, Role
from teams.models import Membership
from tests.factories import MemberFactory, TeamFactory

from .conftest import make_task


@pytest.fixture
def crowd(world):
    """30 more members in a village of c1 (c1 then reaches 33 people)."""
    village = TeamFactory(name="Thôn đông", level=Level.VILLAGE, parent=world.c1)
    people = MemberFactory.create_batch(30)
    Membership.objects.bulk_create([Membership(member=p, team=village, role=Role.MEMBER) for p in people])
    return people


@pytest.fixture
def small_threshold(settings):
    settings.ASSIGN_BACKGROUND_THRESHOLD = 10
    settings.ASSIGN_BATCH_SIZE = 7
    return settings


def _reached(world):
    return set(Membership.objects.filter(team__path__startswith=world.c1.path, role=Role.MEMBER,
                                         member__is_active=True).values_list("member_id", flat=True))


def test_at_the_threshold_the_assign_stays_one_transaction(world, client_for, crowd, settings):
    settings.ASSIGN_BACKGROUND_THRESHOLD = 33
    task = make_task(world.c1, world.coord_c1)
    response = client_for(world.coord_c1).post(f"/api/v1/tasks/{task.pk}/assign/", {"teams": [world.c1.pk]},
                                                format="json")
    assert response.status_code == 200 and response.json() == {"created": 33, "already_assigned": 0}
    assert not Job.objects.exists()


def test_past_the_threshold_the_answer_is_202_with_a_job_that_finishes(
        world, client_for, crowd, small_threshold, django_capture_on_commit_callbacks):
    task = make_task(world.c1, world.coord_c1)
    client = client_for(world.coord_c1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/tasks/{task.pk}/assign/",
                               {"teams": [world.c1.pk], "members": [world.coord_v1a.pk]}, format="json")
    assert response.status_code == 202, response.content
    job = response.json()["job"]
    assert set(job) == {"id", "status", "done", "total"} and job["total"] == 33
    # Without a broker the job ran in place once the request committed.
    body = client.get(f"/api/v1/jobs/{job['id']}/").json()
    assert body["status"] == "done" and body["done"] == body["total"] == 33
    assert body["result"] == {"created": 33, "already_assigned": 0} and body["kind"] == "tasks.assign"
    assignees = set(task.assignments.values_list("assignee_id", flat=True))
    assert assignees == _reached(world) | {world.coord_v1a.pk}
    assert task.assignments.count() == 34  # once each


def test_a_job_is_its_starters_and_superusers(world, client_for, crowd, small_threshold):
    task = make_task(world.c1, world.coord_district)
    response = client_for(world.coord_district).post(f"/api/v1/tasks/{task.pk}/assign/",
                                                      {"teams": [world.c1.pk]}, format="json")
    url = f"/api/v1/jobs/{response.json()['job']['id']}/"
    assert client_for(world.coord_c1).get(url).status_code == 404
    assert client_for(world.superuser).get(url).status_code == 200
    assert client_for(world.coord_district).get(url).status_code == 200


def test_a_job_that_crashed_mid_way_resumes_after_its_last_batch_and_finishes_once(
        world, crowd, small_threshold, monkeypatch):
    task = make_task(world.c1, world.coord_c1)
    monkeypatch.setattr(jobs, "hand_over", lambda job_id: None)  # no worker yet
    result = services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    job = result.job
    assert job.status == "queued" and job.total == 33 and not task.assignments.exists()

    real_step = jobs._steps["tasks.assign"]
    calls = []

    def dies_in_the_third_batch(j):
        calls.append(j.cursor.get("after"))
        step = real_step(j)  # the batch's rows are written ...
        if len(calls) == 3:
            raise KeyboardInterrupt  # ... and the worker dies before its transaction commits
        return step

    monkeypatch.setitem(jobs._steps, "tasks.assign", dies_in_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "running" and job.done == 14 and task.assignments.count() == 14  # two batches of 7
    # Someone joins meanwhile: the remembered team gives them the task at once.
    newcomer = MemberFactory()
    team_services.membership_create(member=newcomer, team=world.v1a, role=Role.MEMBER, actor=world.coord_c1)
    assert task.assignments.filter(assignee=newcomer).exists()

    assert jobs.job_run(job.pk) == "running"  # its lease still holds: nobody else takes it
    Job.objects.filter(pk=job.pk).update(lease_until="2000-01-01T00:00:00Z")
    monkeypatch.setitem(jobs._steps, "tasks.assign", real_step)
    assert jobs.job_run(job.pk) == "done"
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2
    assert set(task.assignments.values_list("assignee_id", flat=True)) == _reached(world)
    assert task.assignments.count() == len(_reached(world)) == 34
    # The newcomer was reached by a batch too, and counted as already assigned.
    assert job.result == {"created": 33, "already_assigned": 1}
    assert jobs.job_run(job.pk) == "done"  # finished: a redelivery does nothing
    assert Assignment.objects.filter(task=task).count() == 34


def test_a_job_stops_when_the_task_is_cancelled(world, crowd, small_threshold, monkeypatch):
    task = make_task(world.c1, world.coord_c1)
    monkeypatch.setattr(jobs, "hand_over", lambda job_id: None)
    job = services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1]).job
    services.task_cancel(task=task, actor=world.coord_c1)
    assert jobs.job_run(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error and not task.assignments.exists()


SLOW_WORKER = """
import os, sys, time
import django
django.setup()
from api import jobs
real = jobs._steps["tasks.assign"]
def slow(job):
    step = real(job)
    time.sleep(0.4)  # inside the batch's transaction: a kill now loses this batch only
    return step
jobs._steps["tasks.assign"] = slow
jobs.job_run(int(sys.argv[1]))
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_way_leaves_a_job_the_next_one_finishes_once(world, crowd, small_threshold,
                                                                         monkeypatch):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    task = make_task(world.c1, world.coord_c1)
    monkeypatch.setattr(jobs, "hand_over", lambda job_id: None)
    job = services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1]).job
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "ASSIGN_BATCH_SIZE": "7", "JOB_LEASE_SECONDS": "1", "DJANGO_SETTINGS_MODULE": "api.settings"}
    worker = subprocess.Popen([sys.executable, "-c", SLOW_WORKER, str(job.pk)], env=env,
                              cwd=Path(__file__).resolve().parents[2])
    deadline = time.monotonic() + 60
    while Job.objects.get(pk=job.pk).done < 14 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)  # mid-way: two or more batches committed, one in flight
    worker.wait()
    killed = Job.objects.get(pk=job.pk)
    assert killed.status == "running" and 14 <= killed.done < 33
    assert task.assignments.count() == killed.done  # what committed is exactly the batches counted

    time.sleep(1.1)  # the dead worker's lease runs out
    monkeypatch.setattr(jobs.settings, "JOB_LEASE_SECONDS", 1)
    assert jobs.job_run(job.pk) == "done"
    finished = Job.objects.get(pk=job.pk)
    assert finished.done == finished.total == 33 and finished.result == {"created": 33, "already_assigned": 0}
    assert task.assignments.count() == 33
    assert set(task.assignments.values_list("assignee_id", flat=True)) == _reached(world)
