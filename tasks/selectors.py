"""Scoped reads of campaigns, tasks, assignments and their timelines.

Who sees which rows is declared once, in tasks/access.py (api.access).
"""
from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from api.access import MANAGE, READ, REVIEWER, restrict
from api.hooks import task_relations
from api.rows import values_rows

from .choices import UNFINISHED_STATUSES, AssignmentStatus, EventKind
from .models import Assignment, AssignmentEvent, Campaign, Task, Topic
from .overdue import task_overdue_q

# The statuses a task's progress counts, in the order clients show them.
PROGRESS_STATUSES = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.COMPLETED,
    AssignmentStatus.VERIFIED,
    AssignmentStatus.REJECTED,
    AssignmentStatus.DECLINED,
    AssignmentStatus.CANCELLED,
)


def tasks_visible_to(user) -> QuerySet[Task]:
    return restrict(Task.objects.all(), user, READ)


def tasks_managed_by(user) -> QuerySet[Task]:
    """Tasks whose team the caller coordinates (or a team above it)."""
    return restrict(Task.objects.all(), user, MANAGE)


def assignments_visible_to(user) -> QuerySet[Assignment]:
    return restrict(Assignment.objects.all(), user, READ)


def own_assignments_unscoped(user_id: int) -> QuerySet[Assignment]:
    """Every assignment of the caller's, before the scope's rules (a scheduled task's not yet
    published, say): a superset of what `mine=true` lists. Only for a check that nothing
    changed (an empty delta poll needs no membership read then); rows are never served
    from it."""
    return Assignment.objects.filter(assignee_id=user_id)


def assignments_reviewable_by(user) -> QuerySet[Assignment]:
    """Assignments whose team lies where the caller reviews (coordinates), other than their own
    (nobody reviews their own work): the console's review queue."""
    return restrict(Assignment.objects.all(), user, REVIEWER)


def topics_visible_to(user) -> QuerySet[Topic]:
    return restrict(Topic.objects.all(), user, READ)


def topics_usable_by(user) -> QuerySet[Topic]:
    """Active topics the caller reads: what a body's `topic` may name."""
    return topics_visible_to(user).filter(is_active=True)


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    return restrict(Campaign.objects.all(), user, READ)


# Lists -----------------------------------------------------------------------

def _count_by_status(statuses) -> Coalesce:
    """How many of the outer task's assignments have one of `statuses` (index-only count)."""
    rows = (
        Assignment.objects.filter(task_id=OuterRef("pk"), status__in=list(statuses))
        .order_by()
        .values("task_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_progress(qs: QuerySet[Task]) -> QuerySet[Task]:
    """Progress counts as columns of the same query (one correlated count per status,
    evaluated only for the rows of the page), never a query per row."""
    annotations = {f"progress_{s.value}": _count_by_status([s]) for s in PROGRESS_STATUSES}
    qs = qs.annotate(**annotations)
    unfinished = sum((F(f"progress_{s.value}") for s in UNFINISHED_STATUSES), Value(0))
    return qs.annotate(
        progress_overdue=Case(
            When(task_overdue_q(), then=unfinished),  # tasks.overdue: only an open task is overdue
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def task_list(user) -> QuerySet[Task]:
    # Fields higher apps add to tasks (channel, content) come by JOINs in this query.
    return with_progress(tasks_visible_to(user).select_related("team", *task_relations.select_related()))


_row_templates: dict = {}


def assignment_list_rows(user, columns: list[str], annotations: dict) -> QuerySet[Assignment]:
    """assignment_list as values() rows of `columns` (`annotations` giving the aliases among
    them that are expressions), for the hot list (api/rows.py).

    The values() query is built once per process and shape, then cloned: resolving forty
    column paths into joins cost more than a millisecond of every page; the scope and the
    list's filters are then added to the clone, on the same joins, as they were before."""
    key = (tuple(columns), tuple(annotations))
    template = _row_templates.get(key)
    if template is None:
        template = _row_templates[key] = values_rows(Assignment.objects.annotate(due_at=F("task__due_at")),
                                                     columns, annotations)
    return restrict(template.all(), user, READ)


def assignment_for_step(user) -> QuerySet[Assignment]:
    """An assignment as a workflow step reads it (the task, what higher apps read of it on
    completion), in the caller's scope: the step's answer is shaped from a row afterwards
    (tasks.views), so none of the names the list's eight joins bring are needed here."""
    return assignments_visible_to(user).select_related("task", "team", *task_relations.select_related("task__"))


def assignment_list(user) -> QuerySet[Assignment]:
    return (
        assignments_visible_to(user)
        .select_related("task", "task__team", "team", "assignee", "reviewed_by",
                        *task_relations.select_related("task__"))
        .annotate(due_at=F("task__due_at"))
    )


# What an assignment's card in the console shows (console/_assignment_row.html, review.html,
# my_tasks.html): the task's own fields, the team's and the assignee's names. Three joins:
# with the task's team, the reviewer and the publication joined too (eight relations), the
# planner's search cost PostgreSQL more than running the page (issue 16).
CARD_COLUMNS = (
    "id", "task_id", "assignee_id", "team_id", "status", "evidence_url", "evidence_image", "note", "quantity",
    "review_note", "completed_at", "created_at", "updated_at",
    "task__id", "task__title", "task__instructions", "task__kind", "task__platform", "task__unit",
    "task__reference_url", "task__due_at", "task__status",
    "team__id", "team__name", "assignee__id", "assignee__full_name",
)


def _cards(queryset: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return queryset.select_related("task", "team", "assignee").annotate(due_at=F("task__due_at")).only(*CARD_COLUMNS)


def assignment_cards(user) -> QuerySet[Assignment]:
    """assignments_visible_to as the console's cards (CARD_COLUMNS)."""
    return _cards(assignments_visible_to(user))


def review_queue(user) -> QuerySet[Assignment]:
    """Completed work waiting for the caller's review (assignments_reviewable_by), as cards."""
    return _cards(assignments_reviewable_by(user).filter(status=AssignmentStatus.COMPLETED))


def topic_list(user) -> QuerySet[Topic]:
    return topics_visible_to(user).select_related("team")


def campaign_list(user) -> QuerySet[Campaign]:
    return campaigns_visible_to(user).select_related("team")


def assignment_events(assignment: Assignment) -> QuerySet[AssignmentEvent]:
    """The stored steps of an assignment (everything after it was made), oldest first."""
    return AssignmentEvent.objects.filter(assignment=assignment).select_related("actor").order_by("created_at", "id")


ASSIGNED_STEP_ID = 0  # the id the timeline gives the "assigned" step, which is the assignment row itself


def assigned_step(assignment: Assignment) -> AssignmentEvent:
    """The first step of an assignment's timeline, as the assignment row holds it (never stored:
    a fan-out of 100k people writes no event rows). Reads `assignment.assigned_by`: select it
    with the assignment."""
    return AssignmentEvent(
        id=ASSIGNED_STEP_ID, assignment=assignment, kind=EventKind.ASSIGNED, actor=assignment.assigned_by,
        from_status="", to_status=AssignmentStatus.ASSIGNED,
        note=_("Joined a team this task was assigned to.") if assignment.joined_late else "",
        created_at=assignment.created_at,
    )


class Timeline:
    """An assignment's whole timeline, oldest first: its "assigned" step (assigned_step)
    then the stored events. Sliced and counted like a queryset, so a paginator pages it
    with one COUNT and one query per page; iterated, it reads the events once (no len():
    a template's for loop would COUNT first)."""

    def __init__(self, assignment: Assignment):
        self.first = assigned_step(assignment)
        self.rest = assignment_events(assignment)

    def count(self) -> int:
        return 1 + self.rest.count()

    def __getitem__(self, index):
        if isinstance(index, int):
            return self.first if index == 0 else self.rest[index - 1]
        start, stop = index.start or 0, index.stop
        head = [self.first] if start == 0 and (stop is None or stop > 0) else []
        rest = self.rest[max(start - 1, 0):None if stop is None else max(stop - 1, 0)]
        return head + list(rest)

    def __iter__(self):
        yield self.first
        yield from self.rest


def assignment_timeline(assignment: Assignment) -> Timeline:
    """Every step of an assignment, the "assigned" one (id 0, from the row) first."""
    return Timeline(assignment)
