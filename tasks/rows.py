"""The hot lists' shapes, from `values()` rows (api/rows.py): one function per shape.

Each writes, key for key and in the same order, what its serializer writes
(tasks.serializers.AssignmentSerializer with its inline AssignmentTaskSerializer,
TaskSerializer); the serializers stay the schema's source, and
tests/api/test_hot_rows.py compares both outputs on representative rows.
"""
from __future__ import annotations

from functools import cache

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from api.hooks import task_relations
from api.rows import datetime_formatter
from teams.models import Member, Team

from .choices import UNFINISHED_STATUSES, AssignmentStatus, TaskStatus
from .selectors import PROGRESS_STATUSES

_UNFINISHED = frozenset(str(s) for s in UNFINISHED_STATUSES)
_OPEN = str(TaskStatus.OPEN)
_REJECTED = str(AssignmentStatus.REJECTED)
_DECLINED = str(AssignmentStatus.DECLINED)

# The columns of an assignment row (the inline task's included); `due_at` is the
# selector's annotation (the keyset paginator orders by it).
ASSIGNMENT_COLUMNS = (
    "id", "assignee_id", "assignee_name", "team_id", "team_name", "status", "evidence_url",
    "evidence_image", "note", "quantity", "decline_reason", "started_at", "completed_at", "reviewed_by_id",
    "reviewer_name", "reviewed_at", "review_note", "created_at", "updated_at", "due_at",
    "task_id", "task__title", "task__instructions", "task__kind", "task__platform", "task__unit",
    "task__reference_url", "task__status", "task__priority", "task__team_id", "task_team_name",
    "task__campaign_id", "task__topic_id", "task__updated_at",
)

TASK_COLUMNS = (
    "id", "title", "instructions", "kind", "platform", "unit", "reference_url", "team_id", "team__name",
    "campaign_id", "topic_id", "due_at", "publish_at", "status", "priority", "created_by_id",
    "created_at", "updated_at",
    *(f"progress_{s.value}" for s in PROGRESS_STATUSES), "progress_overdue",
)


def assignment_columns() -> list[str]:
    return [*ASSIGNMENT_COLUMNS, *task_relations.row_columns("task__")]


def task_columns() -> list[str]:
    return [*TASK_COLUMNS, *task_relations.row_columns()]


@cache
def _name_annotations() -> dict:
    """The assignee's, the team's, the reviewer's and the task's team's names, as subqueries:
    every JOIN of the page's query multiplies the orders PostgreSQL's planner weighs. With the
    last two joined, planning took 1.2-1.7 ms of the page; as subqueries 0.4-0.6 ms, for
    0.1-0.4 ms more execution (the reviewer is mostly null, the task's team one row that stays
    cached). The first two followed (2026-12-03): a phone's feed page planned in 0.43 ms, now
    0.27, for 0.02 ms more execution. Unordered: a look-up by id needs no ORDER BY, and the
    teams' default one (path) had PostgreSQL sort, after a scan of the whole small table, once
    per row of the page."""
    return {
        "assignee_name": Subquery(Member.objects.filter(pk=OuterRef("assignee_id")).order_by().values("full_name")),
        "team_name": Subquery(Team.objects.filter(pk=OuterRef("team_id")).order_by().values("name")),
        "reviewer_name": Subquery(Member.objects.filter(pk=OuterRef("reviewed_by_id")).order_by()
                                  .values("full_name")),
        "task_team_name": Subquery(Team.objects.filter(pk=OuterRef("task__team_id")).order_by().values("name")),
    }


def assignment_annotations() -> dict:
    """The values() expressions among assignment_columns(): the names above, and the fields
    higher apps add."""
    return {**_name_annotations(), **task_relations.row_annotations("task__")}


def task_annotations() -> dict:
    return task_relations.row_annotations()


def assignment_shaper(request):
    """row -> AssignmentSerializer's dict, for one request (its zone, clock and host read once)."""
    dt = datetime_formatter()
    now = timezone.now()
    readers = task_relations.row_readers()
    # The evidence image's URL, as the serializer builds it, with the row's id put in its place.
    head, image_tail = reverse("assignment-evidence-image", kwargs={"pk": 0}).rsplit("/0/", 1)
    base = request.build_absolute_uri(head + "/") if request is not None else head + "/"

    def shape(r: dict) -> dict:
        status = r["status"]
        task_status = r["task__status"]
        due = r["due_at"]
        task = {
            "id": r["task_id"], "title": r["task__title"], "instructions": r["task__instructions"],
            "kind": r["task__kind"], "platform": r["task__platform"], "unit": r["task__unit"],
            "reference_url": r["task__reference_url"], "due_at": dt(due), "status": task_status,
            "priority": r["task__priority"], "team": r["task__team_id"], "team_name": r["task_team_name"],
            "campaign": r["task__campaign_id"], "topic": r["task__topic_id"], "updated_at": dt(r["task__updated_at"]),
        }
        for read in readers:
            task.update(read(r, "task__"))
        return {
            "id": r["id"],
            "task": task,
            "assignee": r["assignee_id"],
            "assignee_name": r["assignee_name"],
            "team": r["team_id"],
            "team_name": r["team_name"],
            "status": status,
            "evidence_url": r["evidence_url"],
            "evidence_image": f"{base}{r['id']}/{image_tail}" if r["evidence_image"] else None,
            "note": r["note"],
            "quantity": r["quantity"],
            "reason": r["review_note"] if status == _REJECTED else r["decline_reason"] if status == _DECLINED else "",
            "decline_reason": r["decline_reason"],
            "started_at": dt(r["started_at"]),
            "completed_at": dt(r["completed_at"]),
            "reviewed_by": r["reviewed_by_id"],
            "reviewed_by_name": r["reviewer_name"],
            "reviewed_at": dt(r["reviewed_at"]),
            "review_note": r["review_note"],
            "is_overdue": status in _UNFINISHED and task_status == _OPEN and due is not None and due < now,
            "created_at": dt(r["created_at"]),
            "updated_at": dt(r["updated_at"]),
        }

    return shape


def task_shaper(request):
    """row (task_columns(), with_progress's annotations) -> TaskSerializer's dict."""
    dt = datetime_formatter()
    now = timezone.now()
    readers = task_relations.row_readers()
    statuses = [s.value for s in PROGRESS_STATUSES]

    def shape(r: dict) -> dict:
        counts = {s: r[f"progress_{s}"] or 0 for s in statuses}
        due, publish_at, status = r["due_at"], r["publish_at"], r["status"]
        task = {
            "id": r["id"], "title": r["title"], "instructions": r["instructions"], "kind": r["kind"],
            "platform": r["platform"], "unit": r["unit"], "reference_url": r["reference_url"], "team": r["team_id"],
            "team_name": r["team__name"], "campaign": r["campaign_id"], "topic": r["topic_id"], "due_at": dt(due),
            "publish_at": dt(publish_at), "is_published": publish_at is None or publish_at <= now,
            "status": status, "priority": r["priority"], "created_by": r["created_by_id"],
            "progress": {"total": sum(counts.values()), **counts, "overdue": r["progress_overdue"] or 0},
            "is_overdue": status == _OPEN and due is not None and due < now,
            "created_at": dt(r["created_at"]), "updated_at": dt(r["updated_at"]),
        }
        for read in readers:
            task.update(read(r, ""))
        return task

    return shape


# What an ETag of a page reads (api/rows.py, page_etag): columns that change whenever a row's
# output does. The assignment's and its task's own fields all move their `updated_at`; the
# names and the inline content come from other rows, so they are read as they are.
ASSIGNMENT_FINGERPRINT = (
    "id", "updated_at", "created_at", "due_at", "status", "evidence_image", "task__status", "task__updated_at",
    "assignee_name", "team_name", "task_team_name", "reviewer_name",
)
TASK_FINGERPRINT = (
    "id", "updated_at", "created_at", "due_at", "publish_at", "status", "team__name",
    *(f"progress_{s.value}" for s in PROGRESS_STATUSES), "progress_overdue",
)


def assignment_fingerprint_columns() -> list[str]:
    return [*ASSIGNMENT_FINGERPRINT, *task_relations.row_columns("task__")]


def task_fingerprint_columns() -> list[str]:
    return [*TASK_FINGERPRINT, *task_relations.row_columns()]


def past(moment, now) -> bool:
    return moment is not None and moment < now
