"""PostgreSQL: an assignment's references are checked per statement (tasks migration 0006),
and they hold as a foreign key would, both ways."""
import pytest
from django.db import IntegrityError, connection, transaction

from tasks import services
from tasks.models import Assignment, Task
from teams.models import Member, Team

from .conftest import assignment_of, make_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHECKED = ("task_id", "assignee_id", "team_id", "assigned_by_id", "reviewed_by_id")


def _sql(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_references_are_checked_per_statement_not_by_row_level_foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT a.attname FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.conrelid = 'tasks_assignment'::regclass AND c.contype = 'f'""")
        row_level = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'tasks_assignment'::regclass")
        triggers = {name for (name,) in cursor.fetchall()}
    # A later AlterField of one of these fields puts its row-level constraint back: this fails then.
    assert not row_level & set(CHECKED), row_level
    assert {"tasks_assignment_references_insert", "tasks_assignment_references_update"} <= triggers


@pytest.mark.parametrize("column", CHECKED)
def test_a_row_naming_a_missing_row_is_refused(world, column):
    task = make_task(world.c1, world.coord_c1)
    good = {"task_id": task.pk, "assignee_id": world.member_v1a.pk, "team_id": world.v1a.pk,
            "assigned_by_id": world.coord_c1.pk, "reviewed_by_id": None}
    good[column] = 10**12
    with pytest.raises(IntegrityError, match=column), transaction.atomic():
        Assignment.objects.create(status="assigned", **good)
    assert not Assignment.objects.filter(task=task).exists()


@pytest.mark.parametrize("column", CHECKED)
def test_an_update_naming_a_missing_row_is_refused(world, column):
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    with pytest.raises(IntegrityError, match=column), transaction.atomic():
        Assignment.objects.filter(task=task).update(**{column: 10**12})


@pytest.mark.parametrize("table,who", [("tasks_task", "task"), ("teams_team", "team"),
                                       ("teams_member", "assignee"), ("teams_member", "assigned_by"),
                                       ("teams_member", "reviewed_by")])
def test_a_delete_of_a_row_an_assignment_names_is_refused(world, table, who):
    # Raw SQL: Django's PROTECT would stop the ORM before the database is asked. The other
    # foreign keys are deferred to COMMIT: the statement's own check answers first.
    task = make_task(world.c1, world.coord_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.v1a])
    a = assignment_of(task, world.member_v1a)
    Assignment.objects.filter(pk=a.pk).update(reviewed_by=world.coord_v1a)
    target = {"task": a.task_id, "team": a.team_id, "assignee": a.assignee_id, "assigned_by": a.assigned_by_id,
              "reviewed_by": world.coord_v1a.pk}[who]
    with pytest.raises(IntegrityError, match=table), transaction.atomic():
        _sql(f"DELETE FROM {table} WHERE id = %s", [target])
    assert {"task": Task, "team": Team, "assignee": Member, "assigned_by": Member, "reviewed_by": Member}[who].objects.filter(
        pk=target).exists()


def test_rows_nobody_names_still_delete(world):
    task = make_task(world.c1, world.coord_c1)
    _sql("DELETE FROM tasks_task WHERE id = %s", [task.pk])
    assert not Task.objects.filter(pk=task.pk).exists()
