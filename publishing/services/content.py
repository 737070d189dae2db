"""The content library's review workflow: draft -> in_review -> approved | rejected; approved -> archived.

Four eyes: an item is never approved (or rejected) by its author, superusers
included (a database constraint holds it too). A step the status does not allow
is a 409 (`invalid_transition`); an edit of an item that is not a draft or
rejected is a 409 (`content_not_editable`), and a rejected item edited goes back
to draft.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.access import MANAGE, scope_for
from api.exceptions import Conflict
from tasks.models import Topic
from tasks.services import check_topic
from teams.models import Member, Team

from ..choices import ContentStatus
from ..models import Channel, ContentItem
from .channels import _coordinates, _require_coordinates

MAX_LINKS = 20

COORDINATOR = "coordinator"        # a coordinator of the item's team or above
AUTHOR_OR_COORDINATOR = "author"   # ...or the item's author
REVIEWER = "reviewer"              # a coordinator above who is not the author


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    target: str
    by: str


# The one table of allowed steps (the contract's). Anything else is a 409.
STEPS: dict[str, Step] = {
    "submit": Step((ContentStatus.DRAFT,), ContentStatus.IN_REVIEW, AUTHOR_OR_COORDINATOR),
    "approve": Step((ContentStatus.IN_REVIEW,), ContentStatus.APPROVED, REVIEWER),
    "reject": Step((ContentStatus.IN_REVIEW,), ContentStatus.REJECTED, REVIEWER),
    "archive": Step((ContentStatus.APPROVED,), ContentStatus.ARCHIVED, COORDINATOR),
}
EDITABLE = (ContentStatus.DRAFT, ContentStatus.REJECTED)


def may_author_for(actor: Member, team: Team) -> bool:
    """Coordinators of the team or above, and the managers of one of the team's active channels."""
    return _coordinates(actor, team) or Channel.objects.filter(
        team=team, is_active=True, manager_links__member_id=actor.pk).exists()


def may_author_somewhere(actor: Member) -> bool:
    """The role check before any body is read: a coordinator somewhere, or a channel manager."""
    return scope_for(actor).has_capability(MANAGE) or Channel.objects.filter(
        is_active=True, manager_links__member_id=actor.pk).exists()


def content_check_actor(*, action: str, item: ContentItem, actor: Member) -> None:
    """Who may take `action` ("update" or a STEPS key) on a visible item. Raises PermissionDenied."""
    by = AUTHOR_OR_COORDINATOR if action == "update" else STEPS[action].by
    coordinates = _coordinates(actor, item.team)
    if by == AUTHOR_OR_COORDINATOR and (coordinates or item.created_by_id == actor.pk):
        return
    if by == COORDINATOR and coordinates:
        return
    if by == REVIEWER:
        if item.created_by_id == actor.pk:
            raise PermissionDenied(_("Nobody reviews their own material: another coordinator approves it."))
        if coordinates:
            return
    raise PermissionDenied(_("You do not coordinate this item's team or a team above it."))


def _check_links(links) -> list[str]:
    links = list(links or [])
    if len(links) > MAX_LINKS:
        raise ValidationError({"links": _("At most %(n)d links.") % {"n": MAX_LINKS}})
    return links


def _check_expiry(expires_at) -> None:
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})


@transaction.atomic
def content_create(*, actor: Member, team: Team, title: str, body: str = "", links=(),
                   topic: Topic | None = None, expires_at=None) -> ContentItem:
    """Write a draft for `team`'s library. Rules: the actor coordinates `team` or above, or
    manages one of its active channels; the expiry lies ahead; a topic serves the team.
    Raises ValidationError."""
    if not may_author_for(actor, team):
        raise ValidationError({"team": _("You neither coordinate this team nor manage one of its channels.")})
    check_topic(topic, team)
    _check_expiry(expires_at)
    return ContentItem.objects.create(team=team, title=title, body=body, links=_check_links(links), topic=topic,
                                      expires_at=expires_at, created_by=actor)


UPDATABLE_CONTENT_FIELDS = ("title", "body", "links", "topic", "expires_at")


@transaction.atomic
def content_update(*, item: ContentItem, actor: Member, **fields) -> ContentItem:
    """Edit a draft or a rejected item (a rejected one goes back to draft). Rules: its author
    or a coordinator of its team or above; other statuses are a 409. Raises PermissionDenied,
    ValidationError or Conflict."""
    content_check_actor(action="update", item=item, actor=actor)
    item = ContentItem.objects.select_for_update().select_related("team").get(pk=item.pk)
    if item.status not in EDITABLE:
        raise Conflict(_("Only a draft or a rejected item can be edited."), code="content_not_editable")
    if "topic" in fields and fields["topic"] != item.topic:
        check_topic(fields["topic"], item.team)
    if "expires_at" in fields and fields["expires_at"] != item.expires_at:
        _check_expiry(fields["expires_at"])
    if "links" in fields:
        fields["links"] = _check_links(fields["links"])
    for name in UPDATABLE_CONTENT_FIELDS:
        if name in fields:
            setattr(item, name, fields[name])
    if item.status == ContentStatus.REJECTED:
        item.status = ContentStatus.DRAFT
    item.save()
    return item


def _step(action: str, item: ContentItem, actor: Member, **changes) -> ContentItem:
    content_check_actor(action=action, item=item, actor=actor)
    step = STEPS[action]
    status = ContentItem.objects.select_for_update().filter(pk=item.pk).values_list("status", flat=True).get()
    if status not in step.sources:
        raise Conflict(_("An item that is %(status)s cannot be changed this way.")
                       % {"status": ContentStatus(status).label.lower()}, code="invalid_transition")
    changes = {**changes, "status": step.target, "updated_at": timezone.now()}
    if ContentItem.objects.filter(pk=item.pk, status=status).update(**changes) != 1:
        raise Conflict(_("This item was changed by someone else; reload it."), code="invalid_transition")
    for name, value in changes.items():
        setattr(item, name, value)
    return item


@transaction.atomic
def content_submit(*, item: ContentItem, actor: Member) -> ContentItem:
    """Send a draft for review (its author or a coordinator). Raises PermissionDenied or Conflict."""
    return _step("submit", item, actor)


@transaction.atomic
def content_approve(*, item: ContentItem, actor: Member, note: str = "") -> ContentItem:
    """Approve an item in review: a coordinator of its team or above who is not its author
    (four eyes). From then on it flows down to the members below. Raises PermissionDenied or Conflict."""
    return _step("approve", item, actor, reviewed_by=actor, reviewed_at=timezone.now(), review_note=note)


@transaction.atomic
def content_reject(*, item: ContentItem, actor: Member, reason: str) -> ContentItem:
    """Send an item in review back with a reason (as approve). Raises PermissionDenied,
    ValidationError or Conflict."""
    content_check_actor(action="reject", item=item, actor=actor)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    return _step("reject", item, actor, reviewed_by=actor, reviewed_at=timezone.now(), review_note=reason)


@transaction.atomic
def content_archive(*, item: ContentItem, actor: Member) -> ContentItem:
    """Withdraw an approved item (coordinators of its team or above): members no longer see
    it and no new task can carry it; tasks that carry it keep their material. Raises
    PermissionDenied or Conflict."""
    return _step("archive", item, actor)


CONTENT_ACTIONS = {"submit": content_submit, "approve": content_approve, "reject": content_reject,
                   "archive": content_archive}
