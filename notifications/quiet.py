"""The quiet hours (settings.QUIET_HOURS, local time): when a push may go out.

Pushes are never sent inside the window; they wait until it ends. The feed is not
held: a notification is in the feed the moment it is written.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime | None = None) -> datetime | None:
    """The end of the quiet hours `now` lies in (an aware local datetime), or None outside them."""
    window = settings.QUIET_HOURS
    if not window:
        return None
    local = timezone.localtime(now or timezone.now())
    start, end = _time(window[0]), _time(window[1])
    moment = local.time()
    if start < end:  # e.g. 12:00-13:00
        inside = start <= moment < end
        end_day = local.date()
    else:  # wraps past midnight, e.g. 21:00-07:00
        inside = moment >= start or moment < end
        end_day = local.date() + timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=local.tzinfo)
