"""Hand-counted work on top of the shared world (tests/conftest.py).

Days are local (Asia/Ho_Chi_Minh, UTC+7): D1 = 2025-03-10 ... D4 = 2025-03-13.
Task "past" (district, campaign "camp") was due in 2025: its unfinished work is
overdue. Task "future" is due in ten days. Task "extra" has no due time.

 #  assignee      team  task    status       created (local)   completed    reviewed
 1  member_v1a    v1a   past    assigned     D1 08:00                                  overdue
 2  member_v1a_2  v1a   past    in_progress  D1 23:30                                  overdue
 3  member_v1a    v1a   future  completed    D2 00:30 (*)      D2 10:00
 4  member_v1a_2  v1a   future  verified     D2 09:00          D2 12:00     D3 09:00
 5  member_v1b    v1b   past    rejected     D2 10:00          D2 11:00     D2 15:00   overdue
 6  member_v1b    v1b   future  cancelled    D3 08:00
 7  member_v2a    v2a   past    declined     D3 08:00
 8  member_v2a    v2a   future  verified     D1 09:00          D1 10:00     D4 00:00
 9  inactive_v1a  v1a   past    completed    D1 10:00          D3 09:00
10  other person  Krông Nô (other district), task "other": never counted for the district
11  coord_c1      c1    future  assigned     D3 12:00          (work held at the commune itself)
12  member_v1a    v1a   extra   verified     D3 08:00          D3 08:30     D3 09:00
(*) 2025-03-10 17:30 UTC: the 10th in UTC, the 11th in Vietnam.

District subtree: total 11 = assigned 2 (1, 11), in_progress 1, completed 2 (3, 9),
verified 3 (4, 8, 12), rejected 1, declined 1, cancelled 1; overdue 3 (1, 2, 5);
completion_rate (2 + 3) / (11 - 1) = 0.5; members_active 4 (the inactive one is not).
"""
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from teams.choices import Level, Role
from tests.factories import (
    AssignmentFactory,
    CampaignFactory,
    MemberFactory,
    MembershipFactory,
    TaskFactory,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=VN)


@pytest.fixture
def work(world):
    w = SimpleNamespace(world=world)
    w.camp = CampaignFactory(name="Chiến dịch mùa xuân", team=world.district)
    w.past = TaskFactory(team=world.district, campaign=w.camp, due_at=datetime(2025, 3, 20, tzinfo=VN),
                         created_by=world.coord_district)
    w.future = TaskFactory(team=world.district, due_at=timezone.now() + timedelta(days=10),
                           created_by=world.coord_district)
    w.extra = TaskFactory(team=world.district, due_at=None, created_by=world.coord_district)
    w.other = TaskFactory(team=world.other_district, created_by=world.coord_other_district)
    w.other_person = MemberFactory(full_name="Người Krông Nô")
    MembershipFactory(member=w.other_person, team=world.other_district, role=Role.MEMBER)

    def a(n, person, team, task, status, created, completed=None, reviewed=None):
        assignment = AssignmentFactory(
            task=task, assignee=person, team=team, status=status, created_at=created,
            completed_at=completed, reviewed_at=reviewed,
            reviewed_by=world.coord_district if reviewed else None,
        )
        setattr(w, f"a{n}", assignment)

    t = world
    a(1, t.member_v1a, t.v1a, w.past, "assigned", local(10, 8))
    a(2, t.member_v1a_2, t.v1a, w.past, "in_progress", local(10, 23, 30))
    a(3, t.member_v1a, t.v1a, w.future, "completed", datetime(2025, 3, 10, 17, 30, tzinfo=ZoneInfo("UTC")),
      local(11, 10))
    a(4, t.member_v1a_2, t.v1a, w.future, "verified", local(11, 9), local(11, 12), local(12, 9))
    a(5, t.member_v1b, t.v1b, w.past, "rejected", local(11, 10), local(11, 11), local(11, 15))
    a(6, t.member_v1b, t.v1b, w.future, "cancelled", local(12, 8))
    a(7, t.member_v2a, t.v2a, w.past, "declined", local(12, 8))
    a(8, t.member_v2a, t.v2a, w.future, "verified", local(10, 9), local(10, 10), local(13, 0))
    a(9, t.inactive_v1a, t.v1a, w.past, "completed", local(10, 10), local(12, 9))
    a(10, w.other_person, t.other_district, w.other, "completed", local(10, 9), local(10, 11))
    a(11, t.coord_c1, t.c1, w.future, "assigned", local(12, 12))
    a(12, t.member_v1a, t.v1a, w.extra, "verified", local(12, 8), local(12, 8, 30), local(12, 9))
    return w


def counts(total=0, assigned=0, in_progress=0, completed=0, verified=0, rejected=0, declined=0,
           cancelled=0, overdue=0):
    return {
        "total": total, "assigned": assigned, "in_progress": in_progress, "completed": completed,
        "verified": verified, "rejected": rejected, "declined": declined, "cancelled": cancelled,
        "overdue": overdue,
    }


DISTRICT_COUNTS = counts(total=11, assigned=2, in_progress=1, completed=2, verified=3, rejected=1,
                         declined=1, cancelled=1, overdue=3)


@pytest.fixture
def grow(world):
    """Adds `n` teams under `parent` (default: communes under the district), each with
    one active member and one completed assignment of `task`."""
    from tests.factories import TeamFactory

    def make(n, task, parent=None, level=Level.COMMUNE):
        for i in range(n):
            village = TeamFactory(name=f"Đội thêm {i}", level=level, parent=parent or world.district)
            person = MemberFactory()
            MembershipFactory(member=person, team=village, role=Role.MEMBER)
            AssignmentFactory(task=task, assignee=person, team=village, status="completed",
                              created_at=local(11, 9), completed_at=local(11, 10 + i % 10))

    return make


@pytest.fixture
def on_topics(work):
    """Task "past" on the district's scam-warning topic, "future" on its good-deeds topic
    ("extra" on none); a third topic is Krông Nô's, which the district cannot see.

    By topic in March 2025: scam work handed in by Hoa (#5, rejected later) and the one who
    left (#9); good deeds by Lan (#3), Minh (#4) and Mai (#8)."""
    from tasks.models import Task, Topic

    w = work.world
    work.scam = Topic.objects.create(team=w.district, name="Cảnh báo lừa đảo")
    work.good = Topic.objects.create(team=w.district, name="Người tốt việc tốt")
    work.elsewhere = Topic.objects.create(team=w.other_district, name="Krông Nô: văn hóa")
    Task.objects.filter(pk=work.past.pk).update(topic=work.scam)
    Task.objects.filter(pk=work.future.pk).update(topic=work.good)
    return work
