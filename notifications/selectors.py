"""Reads of a member's own notifications and devices (nobody reads another's)."""
from django.db.models import QuerySet

from .models import Device, Notification


def notifications_for(member) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=member)


def unread_count(member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def devices_of(member) -> QuerySet[Device]:
    return Device.objects.filter(member=member)
