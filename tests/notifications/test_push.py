"""Push delivery: the logging sender records, the FCM sender (with a stand-in messaging module)
reports dead tokens, dead tokens are removed, and a retry does not push twice."""
from types import SimpleNamespace

import pytest

from notifications import push
from notifications.models import Device, Notification, PushDelivery

pytestmark = pytest.mark.django_db


def make_notification(member, kind="task_cancelled"):
    return Notification.objects.create(recipient=member, kind=kind, params={"task": "Đăng bài"})


def test_logging_sender_records_each_device_in_its_own_language(world, device_for, caplog):
    n = make_notification(world.member_v1a)
    device_for(world.member_v1a, token="phone", language="vi")
    device_for(world.member_v1a, token="browser", platform="web", language="en")
    device_for(world.member_v1a_2)  # someone else's device gets nothing
    with caplog.at_level("INFO", logger="notifications.push"):
        assert push.deliver([n.pk]) == 2
    rows = {d.device.token: d for d in PushDelivery.objects.select_related("device")}
    assert set(rows) == {"phone", "browser"}
    assert rows["phone"].body == "Nhiệm vụ “Đăng bài” đã bị hủy."
    assert rows["browser"].body == "The task “Đăng bài” was cancelled."
    assert all(d.outcome == "sent" and d.sender == "notifications.push.LoggingSender" for d in rows.values())
    assert "Đăng bài" in caplog.text


def test_a_retried_delivery_does_not_push_twice(world, device_for):
    n = make_notification(world.member_v1a)
    device_for(world.member_v1a)
    push.deliver([n.pk])
    assert push.deliver([n.pk]) == 0
    assert PushDelivery.objects.count() == 1


class FakeMessaging:
    """Stands in for firebase_admin.messaging: records what would be sent, fails chosen tokens."""

    class UnregisteredError(Exception):
        pass

    class SenderIdMismatchError(Exception):
        pass

    class QuotaExceededError(Exception):
        pass

    def __init__(self, failures=None):
        self.failures = failures or {}
        self.calls = []

    def Notification(self, title, body):  # noqa: N802 - mirrors the firebase API
        return SimpleNamespace(title=title, body=body)

    def Message(self, token, notification, data):  # noqa: N802
        return SimpleNamespace(token=token, notification=notification, data=data)

    def send_each(self, messages, app=None):
        self.calls.append((messages, app))
        responses = []
        for m in messages:
            error = self.failures.get(m.token)
            responses.append(SimpleNamespace(success=error is None, exception=error))
        return SimpleNamespace(responses=responses)


@pytest.fixture
def fcm(settings, monkeypatch):
    settings.PUSH_SENDER = "notifications.push.FCMSender"
    fake = FakeMessaging()
    app = object()
    real_init = push.FCMSender.__init__
    monkeypatch.setattr(push.FCMSender, "__init__", lambda self: real_init(self, messaging=fake, app=app))
    fake.app = app
    return fake


def test_fcm_sender_sends_http_v1_messages_and_removes_dead_tokens(world, device_for, fcm):
    n = make_notification(world.member_v1a, kind="assigned")
    device_for(world.member_v1a, token="alive")
    device_for(world.member_v1a, token="uninstalled", platform="ios")
    device_for(world.member_v1a, token="other-project", platform="web")
    device_for(world.member_v1a, token="busy", platform="web")
    fcm.failures = {
        "uninstalled": FakeMessaging.UnregisteredError("gone"),
        "other-project": FakeMessaging.SenderIdMismatchError("mismatch"),
        "busy": FakeMessaging.QuotaExceededError("slow down"),
    }
    assert push.deliver([n.pk]) == 4

    (messages, app), = fcm.calls
    assert app is fcm.app
    sent = {m.token: m for m in messages}
    assert sent["alive"].notification.title == "Nhiệm vụ mới"
    assert sent["alive"].data == {"notification_id": str(n.pk), "kind": "assigned"}
    # dead tokens are gone; a transient failure keeps its device
    assert sorted(Device.objects.values_list("token", flat=True)) == ["alive", "busy"]
    outcomes = sorted(PushDelivery.objects.values_list("platform", "outcome"))
    assert outcomes == [("android", "sent"), ("ios", "dead_token"), ("web", "dead_token"), ("web", "failed")]
    # the record of each send outlives the removed device
    assert PushDelivery.objects.filter(device__isnull=True).count() == 2


def test_fcm_sender_batches_by_500(world, fcm):
    n = make_notification(world.member_v1a)
    Device.objects.bulk_create([Device(member=world.member_v1a, token=f"t{i}", platform="android")
                                for i in range(1203)])
    assert push.deliver([n.pk]) == 1203
    assert [len(messages) for messages, _ in fcm.calls] == [500, 500, 203]


def test_fcm_is_chosen_only_when_credentials_are_configured(monkeypatch):
    import importlib

    import api.settings.background as project_settings  # where the push and Celery settings live

    monkeypatch.delenv("PUSH_SENDER", raising=False)
    monkeypatch.delenv("FCM_CREDENTIALS_FILE", raising=False)
    assert importlib.reload(project_settings).PUSH_SENDER == "notifications.push.LoggingSender"
    monkeypatch.setenv("FCM_CREDENTIALS_FILE", "/etc/fcm.json")
    assert importlib.reload(project_settings).PUSH_SENDER == "notifications.push.FCMSender"
    monkeypatch.delenv("FCM_CREDENTIALS_FILE")
    importlib.reload(project_settings)


def test_firebase_is_not_imported_until_an_fcm_push(world, device_for):
    import sys

    n = make_notification(world.member_v1a)
    device_for(world.member_v1a)
    push.deliver([n.pk])
    assert "firebase_admin" not in sys.modules
