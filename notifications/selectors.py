"""Reads of a member's own notifications and devices (nobody reads another's)."""
from django.db.models import QuerySet

from api.access import READ, restrict

from .models import Device, Notification


def notifications_for(member) -> QuerySet[Notification]:
    return restrict(Notification.objects.all(), member, READ)


def unread_count(member) -> int:
    return notifications_for(member).filter(read_at__isnull=True).count()


def devices_of(member) -> QuerySet[Device]:
    return restrict(Device.objects.all(), member, READ)
