"""The documents, the admin pages and the demo data of the tasks app."""
from collections import Counter

import pytest
from django.core.management import call_command

from tasks.models import Assignment, AssignmentEvent, Campaign, Task


def test_schema_validates_without_warnings(db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


@pytest.mark.parametrize("url", [
    "/admin/tasks/task/", "/admin/tasks/task/?status__exact=open",
    "/admin/tasks/assignment/", "/admin/tasks/assignment/?status__exact=completed",
    "/admin/tasks/campaign/",
])
def test_admin_lists_open(world, client, task_c1, url):
    client.force_login(world.superuser)
    response = client.get(url)
    assert response.status_code == 200
    a = task_c1.assignments.first()
    assert client.get(f"/admin/tasks/assignment/{a.pk}/change/").status_code == 200


def test_admin_filters_assignments_by_team_and_campaign(world, client, task_c1, task_c2, campaign_c1):
    client.force_login(world.superuser)
    response = client.get("/admin/tasks/assignment/", {"task__campaign__id__exact": campaign_c1.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3
    response = client.get("/admin/tasks/assignment/", {"team__id__exact": world.v2a.pk})
    assert response.context["cl"].result_count == 1


def test_seed_demo_has_tasks_in_every_state_and_is_idempotent(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (Task.objects.count(), Assignment.objects.count(), AssignmentEvent.objects.count(),
              Campaign.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Task.objects.count(), Assignment.objects.count(), AssignmentEvent.objects.count(),
            Campaign.objects.count()) == counts
    assert set(Task.objects.values_list("status", flat=True)) == {"open", "closed", "cancelled"}
    statuses = Counter(Assignment.objects.values_list("status", flat=True))
    assert set(statuses) == {"assigned", "in_progress", "completed", "verified", "rejected", "declined",
                             "cancelled"}
    # Every assignment's timeline starts with its assignment: the row itself, never a stored event.
    assert not AssignmentEvent.objects.filter(kind="assigned").exists()
    assert not Assignment.objects.filter(assigned_by=None, joined_late=False).exists()
