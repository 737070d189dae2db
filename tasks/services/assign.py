"""Fan-out: assigning a task to teams and people, and late joiners."""
from dataclasses import dataclass
from typing import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import Length, Replace, RowNumber
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from api.access import scope_for
from api.exceptions import Conflict
from api.jobs import JobFailed, Step, job_start
from api.models import Job
from api.outbox import outbox_enqueue
from teams.choices import Role, TeamKind
from teams.models import Member, Membership, Team
from teams.selectors import outermost_teams

from ..choices import AssignmentStatus, TaskStatus
from ..models import Assignment, Task, TaskTarget

from .bulk import BATCH_SIZE, _column, _table
from .rules import _coordinates, _require_coordinates


# Fan-out ---------------------------------------------------------------------
#
# A district can hold 100k members, so the fan-out never walks people in Python:
# one INSERT ... SELECT makes the assignments. Each row stands for its own
# "assigned" step (assigned_by, joined_late): no event row is written for it, the
# timeline shows it (tasks.selectors.assignment_timeline).

@dataclass(frozen=True)
class AssignResult:
    created: int
    already_assigned: int
    # Set when the fan-out went to the background (more than ASSIGN_BACKGROUND_THRESHOLD
    # people): `created` and `already_assigned` then count the directly named people only.
    job: Job | None = None


def _members_below(teams: list[Team]) -> QuerySet[Membership]:
    """Memberships that a fan-out to `teams` reaches: the `member` role, active people.

    Written on the membership's own columns: `team_id IN (the teams under the targets)`
    and `member_id NOT IN (the inactive people)`, two hashed look-ups, where joining the
    teams and every person merged the whole people table in (counting the 1,000,000
    people of a background fan-out took 995 ms that way, 340 ms this way)."""
    in_subtrees = Q(pk__in=[])
    for team in teams:
        in_subtrees |= Q(path__startswith=team.path)
    return (Membership.objects.filter(team__in=Team.objects.filter(in_subtrees).values("pk"), role=Role.MEMBER)
            .exclude(member__in=Member.objects.filter(is_active=False).values("pk")))


def _path_depth(field: str):
    """How deep a team lies: the number of ids in its path (one SQL expression, both databases)."""
    return Length(field) - Length(Replace(field, Value("/"), Value("")))


def _team_preference(teams: list[Team]) -> list:
    """ORDER BY terms that put first, for each person, the membership their assignment
    goes through: inside the deepest named target that holds them (ties: an `area`
    target, then the oldest), then their deepest team there (ties: an `area` team,
    then the oldest). One person in their village and in the commune's Youth Union,
    reached through a task to the commune and one to the Youth Union, is assigned
    through the Youth Union; reached through the commune alone, through the village."""
    ordered = sorted(teams, key=lambda t: (-t.path.count("/"), t.kind != TeamKind.AREA, t.pk))
    target_rank = Case(*[When(team__path__startswith=t.path, then=Value(i)) for i, t in enumerate(ordered)],
                       default=Value(len(ordered)), output_field=IntegerField())
    not_area = Case(When(team__kind=TeamKind.AREA, then=Value(0)), default=Value(1), output_field=IntegerField())
    return [target_rank.asc(), _path_depth("team__path").desc(), not_area.asc(), F("team_id").asc()]


def _fan_out(task: Task, teams: list[Team], now, actor, after: int | None = None,
             upto: int | None = None) -> tuple[int, int]:
    """Assign every person `_members_below(teams)` reaches who does not hold the task
    yet, once, through the team `_team_preference` picks. `teams` are all the named
    targets (nested ones included: they decide which team a person is counted in).
    A batch of a background fan-out takes the people whose id lies in (after, upto].
    Returns (created, reached)."""
    if not teams:
        return 0, 0
    below = _members_below(teams)
    if after is not None:
        below = below.filter(member_id__gt=after)
    if upto is not None:
        below = below.filter(member_id__lte=upto)
    reached = below.values("member_id").distinct().count()
    ranked = (
        below
        .filter(~Exists(Assignment.objects.filter(task_id=task.pk, assignee_id=OuterRef("member_id"))))
        .annotate(choice=Window(RowNumber(), partition_by=[F("member_id")], order_by=_team_preference(teams)))
        .values_list("member_id", "team_id", "choice")
        .order_by()
    )
    ranked_sql, ranked_params = ranked.query.sql_with_params()
    A = Assignment
    columns = ", ".join(_column(A, f) for f in (
        "task", "assignee", "team", "status", "evidence_url", "evidence_image", "note", "decline_reason",
        "review_note", "assigned_by", "joined_late", "created_at", "updated_at"))
    stamp = connection.ops.adapt_datetimefield_value(now)
    M = Membership
    sql = (
        f"INSERT INTO {_table(A)} ({columns}) "
        f"SELECT %s, ranked.{_column(M, 'member')}, ranked.{_column(M, 'team')}, %s, '', '', '', '', '', %s, %s, %s, %s "
        f"FROM ({ranked_sql}) ranked WHERE ranked.choice = 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (task.pk, AssignmentStatus.ASSIGNED, getattr(actor, "pk", None), False, stamp, stamp,
                             *ranked_params))
        created = cursor.rowcount
    return created, reached


def _assign_directly(task: Task, pairs: dict[int, int], now, actor, joined_late: bool = False) -> tuple[int, int]:
    """Assign the named people who do not hold the task yet. Returns (created, already)."""
    if not pairs:
        return 0, 0
    held = set(Assignment.objects.filter(task=task, assignee_id__in=list(pairs)).values_list("assignee_id", flat=True))
    new = [member_id for member_id in pairs if member_id not in held]
    Assignment.objects.bulk_create(
        [Assignment(task_id=task.pk, assignee_id=member_id, team_id=pairs[member_id],
                    status=AssignmentStatus.ASSIGNED, assigned_by_id=getattr(actor, "pk", None),
                    joined_late=joined_late, created_at=now, updated_at=now) for member_id in new],
        batch_size=BATCH_SIZE,
    )
    return len(new), len(held)


def _announce_assignments(task: Task, now) -> None:
    """Owe the news of the assignments made at `now` (they share its timestamp) through the outbox."""
    outbox_enqueue("tasks.assigned", {"task_id": task.pk, "created_at": now.isoformat()},
                   key=f"tasks.assigned:{task.pk}:{now.isoformat()}")


def _direct_pairs(task: Task, members: list[Member], actor) -> dict[int, int]:
    """Each directly named person -> their team inside the task's subtree (a
    `member` role preferred, then the deepest, then an area team, then the oldest). Raises ValidationError naming
    people who are inactive or hold no role there."""
    if not members:
        return {}
    ids = {m.pk for m in members}
    rows = (
        Membership.objects.filter(member_id__in=ids, team__path__startswith=task.team.path)
        .values_list("member_id", "team_id", "team__path", "team__kind", "role")
    )
    scope = scope_for(actor)
    best: dict[int, tuple[tuple, int]] = {}
    for member_id, team_id, path, kind, role in rows:
        if not scope.has_capability_at("manage", path):
            continue
        # like _team_preference: deepest, then an area team, then the oldest
        rank = (1 if role == Role.MEMBER else 0, path.count("/"), kind == TeamKind.AREA, -team_id)
        if member_id not in best or rank > best[member_id][0]:
            best[member_id] = (rank, team_id)
    errors = []
    for member in members:
        if not member.is_active:
            errors.append(_("%(name)s is no longer active.") % {"name": member.full_name})
        elif member.pk not in best:
            errors.append(_("%(name)s has no role in this task's teams.") % {"name": member.full_name})
    if errors:
        raise ValidationError({"members": errors})
    return {member_id: team_id for member_id, (_rank, team_id) in best.items()}


@transaction.atomic
def task_assign(*, task: Task, actor: Member, teams: Iterable[Team] = (),
                members: Iterable[Member] = ()) -> AssignResult:
    """Assign a task to people, in one transaction.

    A team fans out to every active person holding the `member` role anywhere in
    its subtree and is remembered (TaskTarget) so later joiners get the task too;
    a member is assigned directly. Rules: the actor coordinates the task's team or
    above; the task is open (Conflict); every target lies inside the task's
    subtree and the actor's (ValidationError). People already assigned are counted
    in `already_assigned` and left as they are: assigning again is idempotent."""
    teams, members = list(teams), list(members)
    _require_coordinates(actor, task.team)
    task = Task.objects.select_for_update().select_related("team").get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise Conflict(_("Only an open task can be assigned."), code="task_not_open")
    if not teams and not members:
        raise ValidationError({"teams": _("Name at least one team or member.")})
    # Read again under the task's lock: a merge takes the same lock (tasks_lock_for_merge),
    # so a target merged meanwhile is seen as it is now, never fanned out to half-moved.
    teams = list(Team.objects.filter(pk__in=[t.pk for t in teams]).order_by("pk"))
    gone = [t.name for t in teams if not t.is_active]
    if gone:
        raise ValidationError({"teams": [_("%(name)s is archived or merged; it takes no new work.") % {"name": n}
                                         for n in gone]})
    outside = [t.name for t in teams if not (t.path.startswith(task.team.path) and _coordinates(actor, t))]
    if outside:
        raise ValidationError(
            {"teams": [_("%(name)s is not inside this task's team.") % {"name": n} for n in outside]}
        )
    direct = _direct_pairs(task, members, actor)
    targets = outermost_teams(teams)
    if direct and targets:
        # People a team target reaches are assigned (and counted) through that team.
        covered = _members_below(targets).filter(member_id__in=list(direct)).values_list("member_id", flat=True)
        for member_id in set(covered):
            del direct[member_id]

    now = timezone.now()
    # Every named team (nested ones too) decides which team a person is counted in.
    named = list({t.pk: t for t in teams}.values())
    known = set(TaskTarget.objects.filter(task=task).values_list("team_id", flat=True))
    # Remembered first: someone joining while a background fan-out runs gets the task too.
    TaskTarget.objects.bulk_create(
        [TaskTarget(task=task, team=team, created_by=actor) for team in targets if team.pk not in known]
    )
    threshold = settings.ASSIGN_BACKGROUND_THRESHOLD
    if targets and _members_below(targets).values("member_id").distinct()[:threshold + 1].count() > threshold:
        return _assign_in_background(task, named, direct, now, actor)

    created_fan, reached = _fan_out(task, named, now, actor)
    created_direct, already_direct = _assign_directly(task, direct, now, actor)
    created = created_fan + created_direct
    if created:
        task.save(update_fields=["updated_at"])
        _announce_assignments(task, now)
    return AssignResult(created=created, already_assigned=(reached - created_fan) + already_direct)


# Background fan-out --------------------------------------------------------------
#
# Past ASSIGN_BACKGROUND_THRESHOLD people the request names its people directly (in its
# own transaction, as above), remembers the teams, and leaves the teams' fan-out to a
# job (api.jobs): batches of ASSIGN_BATCH_SIZE people in order of id, each committed
# with the job's cursor, under the task's row lock like any assign. A batch picked up
# again after a crash starts after the last committed one, and the NOT EXISTS of
# _fan_out (with the unique constraint behind it) skips anyone who holds the task.

ASSIGN_JOB = "tasks.assign"


def _assign_in_background(task: Task, targets: list[Team], direct: dict[int, int], now, actor) -> AssignResult:
    created_direct, already_direct = _assign_directly(task, direct, now, actor)
    if created_direct:
        task.save(update_fields=["updated_at"])
        _announce_assignments(task, now)
    total = _members_below(targets).values("member_id").distinct().count()
    job = job_start(kind=ASSIGN_JOB, actor=actor, total=total, params={
        "task": task.pk, "teams": [t.pk for t in targets], "actor": actor.pk, "now": now.isoformat(),
    })
    return AssignResult(created=created_direct, already_assigned=already_direct, job=job)


def task_assign_batch(job: Job) -> Step:
    """One batch of a background fan-out (api.jobs step for ASSIGN_JOB). Raises JobFailed
    when the task is no longer open (what was assigned stays, as a cancel leaves it)."""
    params, cursor = job.params, job.cursor
    task = Task.objects.select_for_update().select_related("team").get(pk=params["task"])
    if task.status != TaskStatus.OPEN:
        raise JobFailed(_("Only an open task can be assigned."))
    teams = list(Team.objects.filter(pk__in=params["teams"]))
    actor = Member.objects.get(pk=params["actor"])
    now = parse_datetime(params["now"])
    after = cursor.get("after", 0)
    size = settings.ASSIGN_BATCH_SIZE
    bounds = (_members_below(teams).filter(member_id__gt=after).order_by("member_id")
              .values_list("member_id", flat=True).distinct()[size - 1:size])
    upto = next(iter(bounds), None)  # None: the rest fits in this batch
    created, reached = _fan_out(task, teams, now, actor, after=after, upto=upto)
    totals = {"after": upto, "created": cursor.get("created", 0) + created,
              "reached": cursor.get("reached", 0) + reached}
    if upto is not None:
        return Step(done=reached, cursor=totals)
    if totals["created"]:
        task.save(update_fields=["updated_at"])
        _announce_assignments(task, now)
    return Step(done=reached, cursor=totals, finished=True, result={
        "created": totals["created"], "already_assigned": totals["reached"] - totals["created"]})


def assign_late_joiner(*, membership: Membership, actor: Member | None) -> int:
    """Someone who starts holding the `member` role inside the subtree of a team an
    open task was fanned out to gets that task too (unless it is already past
    due or they already have it). Called by teams.services when a membership is
    created. Returns how many assignments were made."""
    if membership.role != Role.MEMBER or not membership.member.is_active:
        return 0
    team = membership.team
    on_path = [*team.ancestor_ids, team.pk]
    now = timezone.now()
    task_ids = list(
        TaskTarget.objects.filter(team_id__in=on_path, task__status=TaskStatus.OPEN)
        .filter(Q(task__due_at__isnull=True) | Q(task__due_at__gt=now))
        .exclude(task__assignments__assignee_id=membership.member_id)
        .values_list("task_id", flat=True)
        .distinct()
    )
    made = 0
    with transaction.atomic():
        for task in Task.objects.select_for_update().filter(pk__in=task_ids, status=TaskStatus.OPEN).order_by("pk"):
            created, _already = _assign_directly(task, {membership.member_id: team.pk}, now, actor, joined_late=True)
            if created:
                _announce_assignments(task, now)
            made += created
    return made


