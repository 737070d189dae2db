"""Push senders and the delivery of notifications to devices.

`settings.PUSH_SENDER` names the sender class (a dotted path). Every sender takes a
list of `PushMessage` and returns a `SendReport`; tokens it reports dead are
removed from `Device`, and every attempt is recorded as a `PushDelivery`.
"""
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .choices import DeliveryOutcome
from .messages import render_in
from .models import Device, Notification, PushDelivery

logger = logging.getLogger(__name__)

FCM_BATCH = 500  # FCM's limit for one send_each call


@dataclass(frozen=True)
class PushMessage:
    token: str
    platform: str
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class SendReport:
    dead_tokens: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)  # token -> error text (not dead, just failed)


class LoggingSender:
    """The default: writes each push to the log and sends nothing."""

    def send(self, messages: list[PushMessage]) -> SendReport:
        for message in messages:
            logger.info("push to %s device: %s — %s", message.platform, message.title, message.body)
        return SendReport()


class FCMSender:
    """Firebase Cloud Messaging (HTTP v1) through firebase-admin.

    firebase-admin is imported on first use only, so processes that never push
    (and tests) don't pay for loading it. `messaging` and `app` may be passed in
    (tests pass a stand-in for the messaging module).
    """

    _app = None

    def __init__(self, messaging=None, app=None):
        self._messaging = messaging
        if app is not None:
            self._app = app

    @property
    def messaging(self):
        if self._messaging is None:
            from firebase_admin import messaging

            self._messaging = messaging
        return self._messaging

    @property
    def app(self):
        if self._app is None:
            import firebase_admin
            from firebase_admin import credentials

            try:
                FCMSender._app = firebase_admin.get_app("push")
            except ValueError:
                FCMSender._app = firebase_admin.initialize_app(
                    credentials.Certificate(settings.FCM_CREDENTIALS_FILE), name="push"
                )
            self._app = FCMSender._app
        return self._app

    def _is_dead(self, exc) -> bool:
        dead = tuple(
            cls for cls in (getattr(self.messaging, "UnregisteredError", None),
                            getattr(self.messaging, "SenderIdMismatchError", None)) if cls
        )
        return bool(dead) and isinstance(exc, dead)

    def send(self, messages: list[PushMessage]) -> SendReport:
        report = SendReport()
        m = self.messaging
        for start in range(0, len(messages), FCM_BATCH):
            batch = messages[start:start + FCM_BATCH]
            fcm_messages = [
                m.Message(token=msg.token, notification=m.Notification(title=msg.title, body=msg.body),
                          data=msg.data)
                for msg in batch
            ]
            response = m.send_each(fcm_messages, app=self.app)
            for msg, result in zip(batch, response.responses):
                if result.success:
                    continue
                if self._is_dead(result.exception):
                    report.dead_tokens.add(msg.token)
                else:
                    report.errors[msg.token] = str(result.exception)[:500]
        return report


@lru_cache(maxsize=8)
def _sender_class(path: str):
    return import_string(path)


def get_sender():
    return _sender_class(settings.PUSH_SENDER)()


def reserve(notification_ids: list[int]) -> list[int]:
    """Write a `pending` delivery row for each (notification, device) not pushed yet; returns their ids.

    Runs in the caller's transaction. Once it commits the pushes are owed at most once:
    a second reservation of the same pair is refused by `push_once_per_device`, and a
    process that dies before sending leaves the row `pending` rather than pushing twice.
    """
    notifications = list(Notification.objects.filter(pk__in=notification_ids).order_by("id"))
    if not notifications:
        return []
    devices_by_member: dict[int, list[Device]] = {}
    for device in Device.objects.filter(member_id__in={n.recipient_id for n in notifications}).order_by("id"):
        devices_by_member.setdefault(device.member_id, []).append(device)
    done = set(
        PushDelivery.objects.filter(notification_id__in=[n.pk for n in notifications], device__isnull=False)
        .values_list("notification_id", "device_id")
    )
    rows = [
        PushDelivery(notification=notification, device=device, platform=device.platform,
                     sender=settings.PUSH_SENDER, outcome=DeliveryOutcome.PENDING, title="", body="")
        for notification in notifications
        for device in devices_by_member.get(notification.recipient_id, [])
        if (notification.pk, device.pk) not in done
    ]
    if not rows:
        return []
    with transaction.atomic():
        created = PushDelivery.objects.bulk_create(rows, batch_size=1000)
    return [row.pk for row in created]


def send_reserved(delivery_ids: list[int]) -> int:
    """Hand the reserved (pending) pushes to the sender and record what it reported."""
    planned: list[tuple[PushDelivery, PushMessage]] = []
    for delivery in (PushDelivery.objects.filter(pk__in=delivery_ids, outcome=DeliveryOutcome.PENDING)
                     .select_related("notification", "device").order_by("id")):
        device, notification = delivery.device, delivery.notification
        if device is None:  # removed meanwhile (a logout): nothing to send to
            continue
        text = render_in(device.language, notification.kind, notification.params)
        data = {"notification_id": str(notification.pk), "kind": notification.kind}
        if notification.task_id:
            data["task_id"] = str(notification.task_id)
        if notification.assignment_id:
            data["assignment_id"] = str(notification.assignment_id)
        planned.append((delivery, PushMessage(device.token, device.platform, text.title, text.body, data)))
    if not planned:
        return 0
    report = get_sender().send([message for _, message in planned])
    for delivery, message in planned:
        if message.token in report.dead_tokens:
            delivery.outcome, delivery.error = DeliveryOutcome.DEAD_TOKEN, ""
        elif message.token in report.errors:
            delivery.outcome, delivery.error = DeliveryOutcome.FAILED, report.errors[message.token]
        else:
            delivery.outcome, delivery.error = DeliveryOutcome.SENT, ""
        delivery.title, delivery.body = message.title[:200], message.body
    with transaction.atomic():
        PushDelivery.objects.bulk_update([d for d, _ in planned], ["outcome", "error", "title", "body"],
                                         batch_size=1000)
        if report.dead_tokens:
            removed, _ = Device.objects.filter(token__in=report.dead_tokens).delete()
            logger.info("removed %d dead push tokens", removed)
    return len(planned)


def deliver(notification_ids: list[int]) -> int:
    """Push each notification to every device of its recipient; returns pushes attempted.

    The pushes are reserved (committed) first and then sent, so a retried or
    redelivered task never pushes to a device twice. Dead tokens are deleted.
    """
    with transaction.atomic():
        reserved = reserve(notification_ids)
    return send_reserved(reserved)
