"""Celery configuration: eager without a broker, the beat schedule, and tasks registered."""
import importlib

import pytest
from celery.schedules import crontab

from api.celery import app


def test_without_a_broker_tasks_run_eagerly_and_propagate_errors():
    assert app.conf.task_always_eager is True
    assert app.conf.task_eager_propagates is True


def test_a_broker_url_turns_eager_mode_off(monkeypatch):
    import api.settings.background as project_settings  # where the push and Celery settings live

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.CELERY_TASK_ALWAYS_EAGER is False
        assert reloaded.CELERY_BROKER_URL == "redis://127.0.0.1:6379/0"
    finally:
        monkeypatch.delenv("CELERY_BROKER_URL")
        importlib.reload(project_settings)


def test_beat_schedule_reminders_digest_and_pruning():
    schedule = app.conf.beat_schedule
    assert app.conf.timezone == "Asia/Ho_Chi_Minh"
    reminders = schedule["deadline-reminders"]
    assert reminders["task"] == "notifications.tasks.send_deadline_reminders_task"
    assert reminders["schedule"] == crontab(minute="*/15")
    digest = schedule["overdue-digest"]
    assert digest["task"] == "notifications.tasks.send_overdue_digests_task"
    assert digest["schedule"] == crontab(hour=7, minute=0)
    assert schedule["prune-idempotency-keys"]["task"] == "api.tasks.prune_idempotency_keys"
    app.loader.import_default_modules()
    for entry in schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
    assert "notifications.tasks.deliver_push" in app.tasks


@pytest.mark.django_db
def test_an_eager_task_error_reaches_the_caller(world, settings):
    from notifications.models import Device, Notification
    from notifications.tasks import deliver_push

    settings.PUSH_SENDER = "tests.mobile.test_celery.ExplodingSender"
    Device.objects.create(member=world.member_v1a, token="t", platform="android")
    n = Notification.objects.create(recipient=world.member_v1a, kind="assigned", params={"task": "T"})
    with pytest.raises(RuntimeError, match="push service down"):
        deliver_push.delay([n.pk])


@pytest.mark.django_db
def test_a_failing_push_does_not_undo_or_fail_the_committed_notification(
        world, settings, django_capture_on_commit_callbacks, caplog):
    from notifications import services
    from notifications.models import Device, Notification
    from tests.factories import AssignmentFactory, TaskFactory

    settings.PUSH_SENDER = "tests.mobile.test_celery.ExplodingSender"
    Device.objects.create(member=world.member_v1a, token="t", platform="android")
    a = AssignmentFactory(task=TaskFactory(team=world.v1a), assignee=world.member_v1a, team=world.v1a)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_assigned(assignment_ids=[a.pk])
    assert Notification.objects.filter(recipient=world.member_v1a).count() == 1
    assert "push service down" in caplog.text


class ExplodingSender:
    def send(self, messages):
        raise RuntimeError("push service down")
