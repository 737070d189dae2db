"""The fault suite's world: one commune, three villages of four members, one coordinator,
a phone per member. Prints the ids the load needs as JSON (run in the stack's environment)."""
import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
django.setup()

from django.db import transaction  # noqa: E402

from notifications.models import Device  # noqa: E402
from teams.choices import Level, Role  # noqa: E402
from teams.models import Member, Membership, Team  # noqa: E402

PASSWORD = "faults-2026-pass"
COORDINATOR_PHONE = "+84919000001"


def team(name, level, parent=None):
    t = Team.objects.create(name=name, level=level, parent=parent)
    t.path = f"{parent.path if parent else '/'}{t.pk}/"
    t.save(update_fields=["path"])
    return t


def person(phone, name, at, role):
    member = Member(phone=phone, full_name=name)
    member.set_password(PASSWORD)
    member.save()
    Membership.objects.create(member=member, team=at, role=role)
    return member


with transaction.atomic():
    province = team("Tỉnh Lỗi", Level.PROVINCE)
    district = team("Huyện Lỗi", Level.DISTRICT, province)
    commune = team("Xã Lỗi", Level.COMMUNE, district)
    person(COORDINATOR_PHONE, "Điều phối Lỗi", commune, Role.COORDINATOR)
    members = 0
    for v in range(3):
        village = team(f"Thôn Lỗi {v + 1}", Level.VILLAGE, commune)
        for m in range(4):
            member = person(f"+8491900{v + 1}{m + 1:03d}", f"Thành viên {v + 1}.{m + 1}", village, Role.MEMBER)
            Device.objects.create(member=member, token=f"faults-phone-{member.pk}", platform="android")
            members += 1

print(json.dumps({"commune": commune.pk, "phone": COORDINATOR_PHONE, "password": PASSWORD, "members": members}))
