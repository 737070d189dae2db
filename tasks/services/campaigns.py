"""Campaigns: create and update under the coordinator rule."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Member, Team

from ..models import Campaign

from .rules import _check_window, _require_active, _require_coordinates
from .topics import check_topic


# Campaigns -------------------------------------------------------------------

@transaction.atomic
def campaign_create(*, actor: Member, name: str, team: Team, description: str = "",
                    starts_at=None, ends_at=None, topic=None) -> Campaign:
    """Create a campaign. Rules: the actor coordinates `team` or a team above it;
    it does not end before it starts. Raises ValidationError."""
    _require_coordinates(actor, team, field="team")
    _require_active(team)
    _check_window(starts_at, ends_at)
    check_topic(topic, team)
    campaign = Campaign(name=name, team=team, description=description, starts_at=starts_at,
                        ends_at=ends_at, topic=topic, created_by=actor)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor: Member, **fields) -> Campaign:
    """Change a campaign. Rules: the actor coordinates its team (and the new team,
    when moving it) and every task filed under it stays inside the team's subtree.
    Raises PermissionDenied or ValidationError."""
    _require_coordinates(actor, campaign.team)
    team = fields.get("team")
    if team is not None and team.pk != campaign.team_id:
        _require_coordinates(actor, team, field="team")
        if campaign.tasks.exclude(team__path__startswith=team.path).exists():
            raise ValidationError({"team": _("Some tasks of this campaign lie outside that team.")})
    if "topic" in fields and fields["topic"] != campaign.topic:
        check_topic(fields["topic"], team or campaign.team)
    for name in ("name", "description", "team", "starts_at", "ends_at", "topic"):
        if name in fields:
            setattr(campaign, name, fields[name])
    _check_window(campaign.starts_at, campaign.ends_at)
    campaign.save()
    return campaign


