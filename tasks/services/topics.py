"""Topics: what work is about, named by a team for its subtree."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from teams.models import Member, Team

from ..models import Topic

from .rules import _require_coordinates


def check_topic(topic: Topic | None, team: Team, field: str = "topic") -> None:
    """A topic serves its team's subtree: the object's team lies at or below the topic's team,
    and the topic is active. Raises ValidationError on `field`."""
    if topic is None:
        return
    if not topic.is_active:
        raise ValidationError({field: _("This topic is no longer active.")})
    if not team.path.startswith(topic.team.path):
        raise ValidationError({field: _("This topic belongs to a team that is not on this team's path.")})


def _check_name_free(team: Team, name: str, topic: Topic | None = None) -> None:
    taken = Topic.objects.filter(team=team, name__iexact=name)
    if topic is not None:
        taken = taken.exclude(pk=topic.pk)
    if taken.exists():
        raise ValidationError({"name": _("This team already has a topic with this name.")})


@transaction.atomic
def topic_create(*, actor: Member, team: Team, name: str, is_active: bool = True) -> Topic:
    """Name a topic for `team`'s subtree. Rules: the actor coordinates `team` or above; the
    name is the team's once. Raises ValidationError."""
    _require_coordinates(actor, team, field="team")
    _check_name_free(team, name)
    return Topic.objects.create(team=team, name=name, is_active=is_active, created_by=actor)


@transaction.atomic
def topic_update(*, topic: Topic, actor: Member, **fields) -> Topic:
    """Rename, retire (`is_active: false`) or revive a topic. Rules: the actor coordinates its
    team or above; its team does not change. Raises PermissionDenied or ValidationError."""
    _require_coordinates(actor, topic.team)
    if "name" in fields:
        _check_name_free(topic.team, fields["name"], topic)
    for name in ("name", "is_active"):
        if name in fields:
            setattr(topic, name, fields[name])
    topic.save()
    return topic
