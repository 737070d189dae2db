"""Rules shared by the planning and fan-out writes: who coordinates a team, due dates, campaign windows."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from api.access import scope_for
from teams.models import Team

from ..models import AssignmentEvent, Campaign


# Shared rules ----------------------------------------------------------------

def _coordinates(actor, team: Team) -> bool:
    return scope_for(actor).has_capability_at("manage", team.path)


def _require_coordinates(actor, team: Team, field: str | None = None) -> None:
    """The actor coordinates `team` or a team above it (field given: a 400 naming it)."""
    if _coordinates(actor, team):
        return
    message = _("You do not coordinate this team or a team above it.")
    if field:
        raise ValidationError({field: message})
    raise PermissionDenied(message)


def _require_active(team: Team, field: str = "team") -> None:
    """An archived or merged team takes no new tasks or campaigns (a 400 naming the field)."""
    if not team.is_active:
        raise ValidationError({field: _("This team is archived or merged; it takes no new work.")})


def _check_due_at(due_at, field="due_at") -> None:
    if due_at is not None and due_at <= timezone.now():
        raise ValidationError({field: _("The due date must be in the future.")})


def _check_campaign(campaign: Campaign | None, team: Team) -> None:
    if campaign is not None and not team.path.startswith(campaign.team.path):
        raise ValidationError(
            {"campaign": _("The task's team must be the campaign's team or a team below it.")}
        )


def _check_window(starts_at, ends_at) -> None:
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise ValidationError({"ends_at": _("The end must not be before the start.")})


# Bulk SQL shared by the fan-out and the cancel ---------------------------------

BATCH_SIZE = 5000


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, field: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(field).column)


def _insert_events(assignments: QuerySet, *, kind: str, to_status: str, actor, now, note: str = "") -> int:
    """One event per assignment in `assignments`, from the status it has now,
    written by a single INSERT ... SELECT."""
    source = (assignments.order_by()
              .annotate(src_id=F("pk"), src_status=F("status"))
              .values_list("src_id", "src_status"))
    select_sql, select_params = source.query.sql_with_params()
    E = AssignmentEvent
    columns = ", ".join(_column(E, f) for f in
                        ("assignment", "from_status", "kind", "to_status", "actor", "note", "created_at"))
    sql = (f"INSERT INTO {_table(E)} ({columns}) "
           f"SELECT src.src_id, src.src_status, %s, %s, %s, %s, %s FROM ({select_sql}) src")
    params = (kind, to_status, getattr(actor, "pk", None), note,
              connection.ops.adapt_datetimefield_value(now), *select_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
