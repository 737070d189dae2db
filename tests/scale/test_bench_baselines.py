"""The benchmark's baselines and fan-out references do what their names claim, on a tiny seed."""
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from bench.baselines.raw import RawAssignmentList
from scale.seeding import Shape, find_seeded
from tasks.models import Assignment, Task

pytestmark = pytest.mark.django_db

SHAPE = Shape(districts=2, communes=2, villages=2, members=15, tasks=3, busy_tasks=0)


@pytest.fixture
def seeded():
    call_command("seed_scale", "--districts", "2", "--communes", "2", "--villages", "2", "--members", "15",
                 "--tasks", "3", stdout=StringIO())
    return find_seeded(SHAPE)


def test_raw_and_naive_baselines_return_the_coordinators_first_100_rows(seeded, settings):
    settings.ROOT_URLCONF = "bench.urls"
    district, coordinator = seeded.districts[0], seeded.district_coordinators[0]
    connection.ensure_connection()
    raw = json.loads(RawAssignmentList(conn=connection.connection).page(district.path))["results"]
    expected = list(
        Assignment.objects.filter(team__path__startswith=district.path).order_by("-id").values_list("id", flat=True)[:100]
    )
    assert [r["id"] for r in raw] == expected
    assert raw[0]["task"]["title"].startswith("Chia sẻ bài viết 1-")

    client = APIClient()
    client.force_authenticate(coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/bench/naive/assignments/?page_size=100")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == expected
    # The naive baseline really is the untuned N+1 list it stands for: queries grow with the page.
    assert len(queries) > 100


def test_fan_out_references_write_one_assignment_per_active_member_below_the_district(seeded):
    from bench.run import _copy_fanout, _raw_insert_select

    district, coordinator = seeded.districts[0], seeded.district_coordinators[0]
    for assign in (_raw_insert_select, _copy_fanout):
        task = Task.objects.create(title="Fan-out", kind="share", platform="facebook", team=district,
                                   created_by=coordinator)
        assert assign(task) == 2 * 2 * 15
        rows = Assignment.objects.filter(task=task)
        assert rows.count() == 60
        assert not rows.exclude(team__path__startswith=district.path).exists()
        assert set(rows.values_list("status", flat=True)) == {"assigned"}
    # Running the INSERT ... SELECT again adds nobody: an assignment is once per task and person.
    assert _raw_insert_select(task) == 0
