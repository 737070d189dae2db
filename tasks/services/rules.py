"""Rules shared by the planning and fan-out writes: who coordinates a team, due dates, campaign windows."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from api.access import scope_for
from teams.models import Team

from ..models import Campaign


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
