from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.models import Device, PushDelivery

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# A pinned "now" for reminder timing: Tuesday 10:00 in Vietnam.
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=VN)


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def device_for(db):
    def make(member, token=None, platform="android", language="vi"):
        return Device.objects.create(member=member, token=token or f"tok-{member.pk}-{platform}",
                                     platform=platform, language=language)

    return make


@pytest.fixture
def pushes(db):
    """The pushes the logging sender recorded, oldest first."""

    def read():
        return list(PushDelivery.objects.order_by("id"))

    return read


__all__ = ["NOW", "VN", "timedelta"]
