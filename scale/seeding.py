"""Build a national-size network quickly: teams, people, tasks fanned out to everyone.

Shape: one province > D districts > C communes each > V villages each > M
members each; T team-wide tasks per district, each assigned to every member
below that district; optionally one "busy" member with F extra tasks of their
own (the long member feed that deep pagination is measured on).

Every person gets the same password through one precomputed hash (hashing a
million passwords would take hours and prove nothing). Phones are sequential
E.164 numbers in a range nobody else seeds (+8497xxxxxxx).
"""
from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import cycle, islice

from django.contrib.auth.hashers import make_password
from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone

from tasks.choices import AssignmentStatus, Platform, Priority, TaskKind, TaskStatus
from tasks.models import Assignment, Task, TaskTarget
from teams.choices import Level, Role
from teams.models import Member, Membership, Team
from teams.text import fold

from .writers import TableWriter, Written

PHONE_PREFIX = "+8497"
PHONE_DIGITS = 7  # +8497 and 7 digits: a valid Vietnamese mobile number
BUSY_MEMBER_NAME = "Thành Viên Nhiều Việc"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
          "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quang"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Khánh",
         "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm",
         "Thảo", "Trang", "Tuấn", "Vân", "Việt", "Yến"]
NAMES = [(n, fold(n)) for n in (f"{f} {m} {g}" for g in GIVEN for m in MIDDLE for f in FAMILY)]

# Twenty slots: how a fanned-out task looks a few days in (40% untouched, 40% done or reviewed).
# Plain str values: COPY adapts by Python type, and a choices enum is also an Enum.
S = AssignmentStatus
STATUS_MIX = [str(s) for s in [S.ASSIGNED] * 8 + [S.IN_PROGRESS] * 2 + [S.COMPLETED] * 4
              + [S.VERIFIED] * 4 + [S.REJECTED, S.DECLINED]]
DONE = {str(S.COMPLETED), str(S.VERIFIED), str(S.REJECTED)}
REVIEWED = {str(S.VERIFIED), str(S.REJECTED)}
STARTED = DONE | {str(S.IN_PROGRESS)}


@dataclass(frozen=True)
class Shape:
    districts: int
    communes: int
    villages: int
    members: int
    tasks: int
    busy_tasks: int = 0

    @property
    def label(self) -> str:
        return (f"D{self.districts}-C{self.communes}-V{self.villages}-M{self.members}"
                f"-T{self.tasks}-F{self.busy_tasks}")

    @property
    def province_name(self) -> str:
        return f"Tỉnh Quy Mô {self.label}"

    @property
    def members_per_district(self) -> int:
        return self.communes * self.villages * self.members

    @property
    def expected_assignments(self) -> int:
        busy = self.busy_tasks + self.tasks if self.busy_tasks else 0
        return self.districts * self.tasks * self.members_per_district + busy


@dataclass
class Seeded:
    """What a seed made, and the handles a benchmark needs."""

    shape: Shape
    province: Team
    districts: list[Team]
    district_coordinators: list[Member]
    busy_member: Member | None
    written: list[Written] = field(default_factory=list)
    seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        lines = [f"seed_scale {self.shape.label} into province #{self.province.pk} {self.province.name!r}"]
        for w in self.written:
            lines.append(f"  {w.table:<22} {w.rows:>10,} rows  {w.seconds:7.2f} s  {w.rows_per_s:>11,.0f} rows/s")
        total = sum(w.rows for w in self.written)
        lines.append(f"  {'total':<22} {total:>10,} rows  {self.seconds:7.2f} s")
        return lines


def find_seeded(shape: Shape, using: str = "default") -> Seeded | None:
    """An earlier seed of exactly this shape, if the database holds one."""
    province = Team.objects.using(using).filter(level=Level.PROVINCE, name=shape.province_name).first()
    if province is None:
        return None
    districts = list(Team.objects.using(using).filter(parent=province).order_by("id"))
    coordinators = [
        Membership.objects.using(using).select_related("member")
        .filter(team=d, role=Role.COORDINATOR).order_by("id").first().member
        for d in districts
    ]
    busy = (
        Member.objects.using(using)
        .filter(full_name=BUSY_MEMBER_NAME, memberships__team__path__startswith=province.path)
        .first()
    )
    return Seeded(shape, province, districts, coordinators, busy)


class _Phones:
    def __init__(self, using: str):
        highest = (
            Member.objects.using(using).filter(phone__startswith=PHONE_PREFIX)
            .aggregate(m=Max("phone"))["m"]
        )
        self.next = int(highest[len(PHONE_PREFIX):]) + 1 if highest else 0

    def take(self, n: int) -> list[str]:
        start = self.next
        if start + n > 10**PHONE_DIGITS:
            raise ValueError(f"the {PHONE_PREFIX} phone range is exhausted")
        self.next += n
        return [f"{PHONE_PREFIX}{i:0{PHONE_DIGITS}d}" for i in range(start, start + n)]


def _max_id(model, using):
    return model._base_manager.using(using).aggregate(m=Max("pk"))["m"] or 0


def _new_ids(model, using, after: int) -> list[int]:
    # COPY and bulk_create both insert in the order given, and ids only grow.
    return list(model._base_manager.using(using).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True))


def seed_scale(shape: Shape, *, password: str, using: str = "default", log=None) -> Seeded:
    """Insert the whole tree in one transaction; returns counts and timings."""
    log = log or (lambda line: None)
    started = time.perf_counter()
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # A seed can be re-run from scratch; no need to wait for each WAL flush.
                cursor.execute("SET LOCAL synchronous_commit = off")
        seeded = _seed(shape, password=password, using=using, log=log)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Team, Member, Membership, Task, TaskTarget, Assignment):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    seeded.seconds = time.perf_counter() - started
    return seeded


def _seed(shape: Shape, *, password: str, using: str, log) -> Seeded:
    now = timezone.now()
    written: list[Written] = []

    def record(w: Written):
        written.append(w)
        log(f"  {w.table}: {w.rows:,} rows in {w.seconds:.2f} s")

    # Teams, level by level: a child's path needs its parent's id.
    t0 = time.perf_counter()
    province = _teams(using, [(shape.province_name, Level.PROVINCE, None)])[0]
    districts = _teams(using, [(f"Huyện QM {d + 1}", Level.DISTRICT, province) for d in range(shape.districts)])
    communes = _teams(using, [
        (f"Xã QM {d + 1}.{c + 1}", Level.COMMUNE, district)
        for d, district in enumerate(districts) for c in range(shape.communes)
    ])
    villages = _teams(using, [
        (f"Thôn QM {commune.name[6:]}.{v + 1}", Level.VILLAGE, commune)
        for commune in communes for v in range(shape.villages)
    ])
    n_teams = 1 + len(districts) + len(communes) + len(villages)
    record(Written(Team._meta.db_table, n_teams, time.perf_counter() - t0))

    # People: a coordinator per district and per commune, M members per village, maybe one busy member.
    password_hash = make_password(password)
    phones = _Phones(using)
    coordinator_teams = districts + communes
    n_people = len(coordinator_teams) + len(villages) * shape.members + (1 if shape.busy_tasks else 0)
    people_phones = phones.take(n_people)
    names = cycle(NAMES)
    member_rows = []
    for i, phone in enumerate(people_phones):
        name, folded = next(names)
        if shape.busy_tasks and i == n_people - 1:
            name, folded = BUSY_MEMBER_NAME, fold(BUSY_MEMBER_NAME)
        member_rows.append((password_hash, phone, name, folded, True, False, False, now, now))
    before = _max_id(Member, using)
    record(TableWriter(Member, ["password", "phone", "full_name", "search_name", "is_active", "is_staff",
                                "is_superuser", "date_joined", "updated_at"], using).write(member_rows))
    person_ids = _new_ids(Member, using, before)
    if len(person_ids) != n_people:
        raise RuntimeError("another writer inserted members during the seed; run it again")
    coordinator_ids = person_ids[: len(coordinator_teams)]
    member_ids = person_ids[len(coordinator_teams): len(coordinator_teams) + len(villages) * shape.members]
    busy_id = person_ids[-1] if shape.busy_tasks else None

    # member_village[i] is the village of member_ids[i]; members are laid out village by village.
    member_village = [v.pk for v in villages for _ in range(shape.members)]
    membership_rows = [(mid, team.pk, str(Role.COORDINATOR), now, now) for mid, team in zip(coordinator_ids, coordinator_teams)]
    membership_rows += [(mid, vid, str(Role.MEMBER), now, now) for mid, vid in zip(member_ids, member_village)]
    if busy_id:
        membership_rows.append((busy_id, villages[0].pk, str(Role.MEMBER), now, now))
    record(TableWriter(Membership, ["member", "team", "role", "created_at", "updated_at"], using).write(membership_rows))

    # Team-wide tasks, T per district, owned by the district and created by its coordinator.
    district_coord = dict(zip([d.pk for d in districts], coordinator_ids))
    kinds, platforms = [str(v) for v in TaskKind.values], [str(v) for v in Platform.values]
    task_rows = []
    for d, district in enumerate(districts):
        for k in range(shape.tasks):
            title = f"Chia sẻ bài viết {d + 1}-{k + 1}"
            # Every fourth task is already past its deadline, so "overdue" has rows to count.
            due = now + timedelta(days=(k % 4) * 3 - 2)
            task_rows.append(_task_row(title, kinds[k % len(kinds)], platforms[k % len(platforms)],
                                       district.pk, due, district_coord[district.pk], now))
    busy_team = communes[0] if communes else districts[0]
    busy_creator = coordinator_ids[len(districts)] if communes else coordinator_ids[0]
    for k in range(shape.busy_tasks):
        task_rows.append(_task_row(f"Việc riêng {k + 1}", kinds[k % len(kinds)], platforms[k % len(platforms)],
                                   busy_team.pk, now + timedelta(days=7), busy_creator, now))
    before = _max_id(Task, using)
    record(TableWriter(Task, ["title", "instructions", "kind", "platform", "reference_url", "team", "due_at",
                              "status", "priority", "created_by", "search_name", "created_at", "updated_at"],
                       using).write(task_rows))
    task_ids = _new_ids(Task, using, before)
    team_task_ids = task_ids[: len(districts) * shape.tasks]
    busy_task_ids = task_ids[len(districts) * shape.tasks:]

    target_rows = [
        (team_task_ids[d * shape.tasks + k], district.pk, district_coord[district.pk], now)
        for d, district in enumerate(districts) for k in range(shape.tasks)
    ]
    record(TableWriter(TaskTarget, ["task", "team", "created_by", "created_at"], using).write(target_rows))

    # Assignments: every task of a district times every member below it (plus the busy member).
    per_district = shape.members_per_district
    assignment_writer = TableWriter(Assignment, [
        "task", "assignee", "team", "status", "evidence_url", "started_at", "completed_at",
        "reviewed_by", "reviewed_at", "created_at", "updated_at",
    ], using)

    def assignment_rows():
        earlier = now - timedelta(hours=6)
        for d, district in enumerate(districts):
            reviewer = district_coord[district.pk]
            ids = member_ids[d * per_district: (d + 1) * per_district]
            teams = member_village[d * per_district: (d + 1) * per_district]
            extra = [(busy_id, villages[0].pk)] if busy_id and d == 0 else []
            for k in range(shape.tasks):
                task_id = team_task_ids[d * shape.tasks + k]
                for i, (mid, vid) in enumerate(list(zip(ids, teams)) + extra):
                    yield _assignment_row(task_id, mid, vid, STATUS_MIX[(i * 7 + k * 3) % 20],
                                          reviewer, earlier, now)
        for task_id in busy_task_ids:
            yield _assignment_row(task_id, busy_id, villages[0].pk, str(S.ASSIGNED), None, now, now)

    record(assignment_writer.write(assignment_rows()))

    return Seeded(
        shape=shape,
        province=province,
        districts=districts,
        district_coordinators=list(Member.objects.using(using).filter(pk__in=coordinator_ids[: len(districts)]).order_by("pk")),
        busy_member=Member.objects.using(using).get(pk=busy_id) if busy_id else None,
        written=written,
    )


def _task_row(title, kind, platform, team_id, due, created_by, now):
    return (title, "Chia sẻ bài viết kèm lời bình của bạn.", kind, platform,
            f"https://example.org/bai-viet/{zlib.crc32(title.encode())}", team_id, due,
            str(TaskStatus.OPEN), str(Priority.NORMAL), created_by, fold(title), now, now)


def _assignment_row(task_id, member_id, team_id, status, reviewer, earlier, now):
    done = status in DONE
    return (
        task_id, member_id, team_id, status,
        f"https://example.org/p/{task_id}-{member_id}" if done else "",
        earlier if status in STARTED else None,
        earlier if done else None,
        reviewer if status in REVIEWED else None,
        now if status in REVIEWED else None,
        earlier, now,
    )


def _teams(using: str, specs: list[tuple[str, str, Team | None]]) -> list[Team]:
    """Create one level of teams and give each its materialized path (parent.path + id + "/")."""
    if not specs:
        return []
    made: list[Team] = []
    for batch in _chunks(specs, 5000):
        objs = [Team(name=n, level=lvl, parent=p, search_name=fold(n)) for n, lvl, p in batch]
        made += Team.objects.using(using).bulk_create(objs)
    for team, (_, _, parent) in zip(made, specs):
        team.path = f"{parent.path if parent else '/'}{team.pk}/"
    Team.objects.using(using).bulk_update(made, ["path"], batch_size=2000)
    return made


def _chunks(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
