"""What tasks hang on a team when it is merged into another or archived (api.hooks handlers).

A commune holds 100,000 assignments: every move is one set-based UPDATE (the tally
triggers follow it in one grouped statement), never a walk over rows in Python.
"""
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.utils import timezone
from django.utils.translation import gettext as _

from api import hooks
from teams.models import Team

from ..choices import TaskStatus
from ..models import Assignment, Campaign, Task, TaskTarget, Topic


def tasks_lock_for_merge(*, source: Team, target: Team, actor) -> int:
    """api.hooks.teams_merging: lock, in id order, the open tasks that can reach `source`'s
    people (owned by `source` or a team above it). task_assign and assign_late_joiner take
    the same row locks first, so a fan-out runs wholly before or wholly after a merge:
    nobody is assigned through a team that is being emptied. Returns how many were locked."""
    on_path = [*source.ancestor_ids, source.pk]
    return len(list(
        Task.objects.select_for_update().filter(team_id__in=on_path, status=TaskStatus.OPEN)
        .order_by("pk").values_list("pk", flat=True)
    ))


def tasks_teams_merged(*, source: Team, target: Team, actor) -> dict[str, int]:
    """api.hooks.teams_merged: tasks, campaigns, topics, task targets and assignments' `team`
    move from `source` to `target`. A task aimed at both keeps one target. Assignments keep
    their status and history; their `updated_at` moves so phones pick up the new team in
    their next delta. Tasks and campaigns moved are recorded in history
    (api.hooks.bulk_changed). Returns rows moved per kind."""
    now = timezone.now()
    reason = f"merged #{source.pk} {source.name} into #{target.pk} {target.name}"
    moved = {}
    for model in (Task, Campaign):
        moved[model._meta.model_name] = model.objects.filter(team=source).update(team=target, updated_at=now)
        if moved[model._meta.model_name]:
            hooks.bulk_changed.send(queryset=model.objects.filter(team=target, updated_at=now), actor=actor,
                                    reason=reason)
    TaskTarget.objects.filter(team=source, task_id__in=TaskTarget.objects.filter(team=target).values("task_id")).delete()
    moved["task_targets"] = TaskTarget.objects.filter(team=source).update(team=target)
    moved["assignments"] = Assignment.objects.filter(team=source).update(team=target, updated_at=now)
    # Topics move too; one whose name `target` already has keeps it with the merged team's
    # name after it (a name is once per team), so what points at it stays as it was.
    taken = Topic.objects.filter(team=target).values("name")
    suffix = f" ({source.name})"
    Topic.objects.filter(team=source, name__in=taken).update(
        name=Concat(Left(F("name"), Topic._meta.get_field("name").max_length - len(suffix)), Value(suffix)),
        updated_at=now)
    moved["topics"] = Topic.objects.filter(team=source).update(team=target, updated_at=now)
    return moved


def tasks_block_archive(*, team: Team) -> list[str]:
    """api.hooks.team_archiving: a team with open tasks stays active (their titles named)."""
    open_tasks = Task.objects.filter(team=team, status=TaskStatus.OPEN)
    count = open_tasks.count()
    if not count:
        return []
    titles = list(open_tasks.order_by("pk").values_list("title", flat=True)[:5])
    return [_("%(n)d open tasks (%(names)s)") % {"n": count, "names": ", ".join(titles) + (", …" if count > 5 else "")}]
