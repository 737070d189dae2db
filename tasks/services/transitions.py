"""The assignment workflow: one table of allowed steps, checked once per step."""
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from api import access
from api.access import require
from api.compiled import insert_row
from api.postgresql import prepared_cursor
from api.exceptions import Conflict
from api.hooks import assignment_completed
from api.outbox import outbox_enqueue
from teams.models import Member

from ..choices import AssignmentStatus, EventKind, TaskKind, TaskStatus
from ..models import MAX_QUANTITY, Assignment, AssignmentEvent, Task


# The workflow ----------------------------------------------------------------

ASSIGNEE = "assignee"
REVIEWER = "reviewer"


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    by: str  # ASSIGNEE: the assignee only; REVIEWER: a coordinator above, never the assignee
    event: str


# The one table of allowed steps (the contract's). Anything else is a 409.
TRANSITIONS: dict[str, Transition] = {
    "start": Transition(
        (AssignmentStatus.ASSIGNED, AssignmentStatus.REJECTED),
        AssignmentStatus.IN_PROGRESS, ASSIGNEE, EventKind.STARTED,
    ),
    "complete": Transition(
        (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.REJECTED),
        AssignmentStatus.COMPLETED, ASSIGNEE, EventKind.COMPLETED,
    ),
    "decline": Transition(
        (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS),
        AssignmentStatus.DECLINED, ASSIGNEE, EventKind.DECLINED,
    ),
    "verify": Transition(
        (AssignmentStatus.COMPLETED,), AssignmentStatus.VERIFIED, REVIEWER, EventKind.VERIFIED,
    ),
    "reject": Transition(
        (AssignmentStatus.COMPLETED,), AssignmentStatus.REJECTED, REVIEWER, EventKind.REJECTED,
    ),
}


def assignment_check_actor(*, action: str, assignment: Assignment, actor: Member, on_behalf: bool = False) -> None:
    """Who may take `action` on `assignment` (api.access ASSIGNEE / REVIEWER): the
    assignee for their own steps; a coordinator of the assignment's team or a team
    above it, other than the assignee, for reviews. `on_behalf` (only `complete`):
    a coordinator above the assignment records *offline* work for a member without
    a smartphone; online work is never completed on someone else's behalf.
    Raises PermissionDenied."""
    if on_behalf:
        if action != "complete":
            raise PermissionDenied(_("Only completing offline work can be recorded on someone's behalf."))
        if assignment.task.kind != TaskKind.OFFLINE:
            raise PermissionDenied(_("Online work can never be completed on someone else's behalf."))
        require(actor, access.REVIEWER, assignment,
                message=_("You do not coordinate this assignment's team or a team above it."))
        return
    if TRANSITIONS[action].by == ASSIGNEE:
        require(actor, access.ASSIGNEE, assignment, message=_("Only the assignee can do this."))
        return
    if assignment.assignee_id == actor.pk:
        raise PermissionDenied(_("Nobody reviews their own work."))
    require(actor, access.REVIEWER, assignment,
            message=_("You do not coordinate this assignment's team or a team above it."))


def _move(pk: int, status: str, transition: Transition, changes: dict) -> int:
    """UPDATE the row `pk` with `changes` if its status is still `status` and its task still
    takes `transition` (open for the assignee's steps, not cancelled for a review: the checks
    _locked_status makes, as one condition); the number of rows moved (0 or 1).

    Written out rather than through QuerySet.update, and server-prepared on PostgreSQL
    (api.postgresql): the statement's text is one per step, and building and planning it on
    every step cost more than running it."""
    a, t = Assignment._meta, Task._meta
    quote = connection.ops.quote_name
    fields = [a.get_field(name) for name in changes]
    values = [value.pk if isinstance(value, Model) else value for value in changes.values()]
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    task_status = "=" if transition.by == ASSIGNEE else "<>"
    table, column = quote(a.db_table), (lambda meta, name: quote(meta.get_field(name).column))
    sql = (f"UPDATE {table} SET {sets} WHERE {table}.{column(a, 'id')} = %s AND {table}.{column(a, 'status')} = %s "
           f"AND EXISTS (SELECT 1 FROM {quote(t.db_table)} t WHERE t.{column(t, 'id')} = "
           f"{table}.{column(a, 'task')} AND t.{column(t, 'status')} {task_status} %s)")
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values)]
    params += [pk, status, TaskStatus.OPEN if transition.by == ASSIGNEE else TaskStatus.CANCELLED]
    with prepared_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _cancelled_meanwhile(assignment: Assignment) -> bool:
    """Whether the task was cancelled by a transaction that held this row while the review's
    UPDATE waited for it. A cancel only locks completed work (tasks.services.planning), so the
    UPDATE that waited finds the row unchanged and keeps the task's status as its statement
    began; a statement of its own, run now, reads what the cancel committed. (The assignee's
    steps need no such read: a cancel rewrites their rows, and the UPDATE then matches nothing.)"""
    return Task.objects.filter(pk=assignment.task_id, status=TaskStatus.CANCELLED).exists()


def _locked_status(assignment: Assignment, transition: Transition, overtaken: bool) -> str:
    """The row's status read under its lock, with the Conflict that applies when the step is
    not allowed now (a cancelled or closed task, another status). `overtaken`: the step was
    allowed from the status the caller read, and a change landed since (so "reload it")."""
    # The row lock orders concurrent requests; the task's status is read with it,
    # so a cancel that committed meanwhile is seen. Only the assignment's row (`of`): a coordinator
    # editing the task is not held up by every step on it (test_transition_messages, PostgreSQL).
    # `of` is a PostgreSQL matter: SQLite, where `make mutants` runs, has no row locks and ignores it.
    locked = Assignment.objects.select_for_update(of=("self",))  # pragma: no mutate (see above)
    status, task_status = locked.filter(pk=assignment.pk).values_list("status", "task__status").get()
    if task_status == TaskStatus.CANCELLED:
        raise Conflict(_("This task was cancelled."), code="task_cancelled")
    if transition.by == ASSIGNEE and task_status != TaskStatus.OPEN:
        raise Conflict(_("This task is closed."), code="task_closed")
    if status not in transition.sources:
        if overtaken and status != assignment.status:
            raise Conflict(_("This assignment was changed by someone else; reload it."), code="invalid_transition")
        raise Conflict(
            _("An assignment that is %(status)s cannot be changed this way.")
            % {"status": AssignmentStatus(status).label.lower()},
            code="invalid_transition",
        )
    return status


def _transition(*, action: str, assignment: Assignment, actor: Member, changes: dict, note: str = "") -> Assignment:
    """Move `assignment` (the row the caller loaded; the actor is already checked)
    and return it with the changes applied: the row is not read again."""
    transition = TRANSITIONS[action]
    current = assignment
    now = timezone.now()
    changes = {**changes, "status": transition.target, "updated_at": now}
    status = current.status
    moved = 0
    if status in transition.sources:
        # The status the caller read allows the step: one UPDATE, conditional on that status and
        # on the task still taking the step, moves the row (and takes its lock). A concurrent step
        # committed first makes it match nothing (PostgreSQL checks the row's new version).
        moved = _move(current.pk, status, transition, changes)
        if moved == 1 and transition.by == REVIEWER and _cancelled_meanwhile(current):
            raise Conflict(_("This task was cancelled."), code="task_cancelled")
    if moved != 1:
        # The read was stale or the step is refused: decide under the lock, as before.
        status = _locked_status(current, transition, overtaken=status in transition.sources)
        # Conditional on the status read under the lock: even without row locks
        # (SQLite) two requests cannot both move the same row.
        moved = Assignment.objects.filter(pk=current.pk, status=status).update(**changes)
        if moved != 1:
            raise Conflict(_("This assignment was changed by someone else; reload it."), code="invalid_transition")
    # By id: the actor may be the token's stand-in (api.authentication), which would load the
    # whole person to be assigned as a relation.
    # One INSERT: Model.save() built an instance, sent its signals (nobody listens to an
    # event's) and read back its id, which no step uses.
    insert_row(AssignmentEvent, {"assignment_id": current.pk, "kind": transition.event, "actor_id": actor.pk,
                                 "from_status": status, "to_status": transition.target, "note": note,
                                 "created_at": now})
    for name, value in changes.items():
        setattr(current, name, value)
    return current


@transaction.atomic
def assignment_start(*, assignment: Assignment, actor: Member, checked: bool = False) -> Assignment:
    """The assignee starts work (from assigned or rejected). Raises PermissionDenied or Conflict.
    `checked`: the caller already ran assignment_check_actor (every step checks once)."""
    if not checked:
        assignment_check_actor(action="start", assignment=assignment, actor=actor)
    return _transition(action="start", assignment=assignment, actor=actor,
                       changes={"started_at": timezone.now()})


def _check_quantity(*, task, quantity, evidence_url, evidence_image) -> None:
    """Offline work is counted, not linked: `quantity` (0..MAX_QUANTITY) is required
    and no evidence is needed; online work needs a link or an image and takes no quantity."""
    if task.kind == TaskKind.OFFLINE:
        if quantity is None:
            raise ValidationError({"quantity": _("Say how much was done (a whole number from 0).")})
        if not 0 <= quantity <= MAX_QUANTITY:
            raise ValidationError({"quantity": _("Ensure this value is between 0 and %(max)d.")
                                   % {"max": MAX_QUANTITY}})
        return
    if quantity is not None:
        raise ValidationError({"quantity": _("Only offline work is counted by quantity.")})
    if not evidence_url and not evidence_image:
        raise ValidationError({"evidence_url": _("Send the link to your post or an image of it.")})


@transaction.atomic
def assignment_complete(*, assignment: Assignment, actor: Member, evidence_url: str = "",
                        note: str = "", evidence_image=None, quantity: int | None = None,
                        on_behalf: bool = False, checked: bool = False) -> Assignment:
    """The assignee reports the work done: online work with evidence (an http(s)
    URL or an image, one of them required), offline work with its `quantity`
    (required, no evidence needed). With `on_behalf`, a coordinator above the
    assignment records offline work for its assignee; the event's actor is the
    coordinator. Allowed from assigned, in progress and rejected; a previous
    review is cleared (the timeline keeps it). Raises PermissionDenied,
    ValidationError or Conflict."""
    if not checked:
        assignment_check_actor(action="complete", assignment=assignment, actor=actor, on_behalf=on_behalf)
    _check_quantity(task=assignment.task, quantity=quantity, evidence_url=evidence_url,
                    evidence_image=evidence_image)
    changes = {"evidence_url": evidence_url, "note": note, "completed_at": timezone.now(),
               "quantity": quantity, "reviewed_by": None, "reviewed_at": None, "review_note": ""}
    completed = _transition(action="complete", assignment=assignment, actor=actor, changes=changes, note=note)
    if evidence_image:
        # Stored only once the step is allowed, so a refused one leaves no file behind.
        completed.evidence_image.save(evidence_image.name, evidence_image, save=False)
        Assignment.objects.filter(pk=completed.pk).update(evidence_image=completed.evidence_image.name)
    # Higher apps react in this transaction: publishing logs the post on the task's channel,
    # notifications owes the reviewers' notice of waiting work when one of them may hear it.
    assignment_completed.send(assignment=completed, actor=actor)
    return completed


@transaction.atomic
def assignment_decline(*, assignment: Assignment, actor: Member, reason: str, checked: bool = False) -> Assignment:
    """The assignee declines (from assigned or in progress) with a reason. Raises
    PermissionDenied, ValidationError or Conflict."""
    if not checked:
        assignment_check_actor(action="decline", assignment=assignment, actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    return _transition(action="decline", assignment=assignment, actor=actor,
                       changes={"decline_reason": reason}, note=reason)


@transaction.atomic
def assignment_verify(*, assignment: Assignment, actor: Member, note: str = "", checked: bool = False) -> Assignment:
    """A reviewer accepts completed work; the assignee is notified (through the outbox).
    Raises PermissionDenied or Conflict."""
    if not checked:
        assignment_check_actor(action="verify", assignment=assignment, actor=actor)
    verified = _transition(action="verify", assignment=assignment, actor=actor,
                           changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": note},
                           note=note)
    at = verified.reviewed_at.isoformat()
    outbox_enqueue("tasks.verified", {"assignment_id": verified.pk, "at": at},
                   key=f"tasks.verified:{verified.pk}:{at}")
    return verified


@transaction.atomic
def assignment_reject(*, assignment: Assignment, actor: Member, reason: str, checked: bool = False) -> Assignment:
    """A reviewer sends completed work back with a reason; the assignee can start
    or complete it again. Raises PermissionDenied, ValidationError or Conflict."""
    if not checked:
        assignment_check_actor(action="reject", assignment=assignment, actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    rejected = _transition(action="reject", assignment=assignment, actor=actor,
                           changes={"reviewed_by": actor, "reviewed_at": timezone.now(), "review_note": reason},
                           note=reason)
    at = rejected.reviewed_at.isoformat()
    outbox_enqueue("tasks.rejected", {"assignment_id": rejected.pk, "reason": reason, "at": at},
                   key=f"tasks.rejected:{rejected.pk}:{at}")
    return rejected


ACTIONS = {
    "start": assignment_start,
    "complete": assignment_complete,
    "decline": assignment_decline,
    "verify": assignment_verify,
    "reject": assignment_reject,
}
