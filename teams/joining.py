"""Joining a team: invites, registration with a code, and the coordinator's decision.

- `invite_create` / `invite_revoke`: coordinators of the team or above;
- `join_register`: anyone with a valid code; answers the same whether the phone
  is already registered or not (an existing member is asking to join this team
  too; their password is ignored);
- `join_request_approve` / `join_request_decline`: coordinators of the request's
  team or above, granting a role within their reach. Approving makes the person
  a member (or adds the membership to the existing one); two approvals at once
  give one member.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from api.access import MANAGE, scope_for
from api.exceptions import Conflict
from api.phones import normalize_phone

from .choices import Role
from .models import Invite, JoinRequest, JoinStatus, Member, Membership, Team
from .services import _assign_open_tasks, _check_grant

CODE_BYTES = 9  # token_urlsafe(9): 12 characters, 72 random bits
JOIN_PATH = "/join/{code}"  # config/urls.py sends it on to the console's registration page


def invite_url(invite: Invite, request=None) -> str:
    """The link an invite hands out: settings.INVITE_URL_TEMPLATE with its code, else
    /join/<code> on the host that was asked (the API's `url`, the console's QR code)."""
    template = settings.INVITE_URL_TEMPLATE
    if template:
        return template.format(code=invite.code)
    path = JOIN_PATH.format(code=invite.code)
    return request.build_absolute_uri(path) if request is not None else path


def _require_coordinator(actor: Member, team: Team) -> None:
    scope = scope_for(actor)
    if not (scope.is_superuser or scope.has_capability_at(MANAGE, team.path)):
        raise PermissionDenied(_("You do not coordinate this team."))


def _refuse_own(actor: Member, join_request: JoinRequest) -> None:
    # As with memberships (membership_update): nobody decides on their own roles.
    if join_request.member_id is not None and join_request.member_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot decide your own join request."))


def invite_is_usable(invite: Invite, now=None) -> bool:
    now = now or timezone.now()
    return (invite.revoked_at is None
            and (invite.expires_at is None or invite.expires_at > now)
            and (invite.max_uses is None or invite.uses < invite.max_uses)
            and invite.team.is_active)


def usable_invite(code: str) -> Invite | None:
    """The invite `code` names while it still takes registrations (the public join page);
    None for a wrong, expired, revoked or used-up code."""
    invite = Invite.objects.select_related("team").filter(code=code).first() if code else None
    return invite if invite is not None and invite_is_usable(invite) else None


@transaction.atomic
def invite_create(*, team: Team, actor: Member, expires_at=None, max_uses: int | None = None) -> Invite:
    """A new invite to `team`. Rules: the actor coordinates the team or a team above
    (PermissionDenied); the team is active (Conflict `team_inactive`); `expires_at`
    lies ahead and `max_uses` is at least 1 (ValidationError). The code is random."""
    _require_coordinator(actor, team)
    if not team.is_active:
        raise Conflict(_("This team is archived or merged; it takes no new members."), code="team_inactive")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must lie in the future.")})
    if max_uses is not None and max_uses < 1:
        raise ValidationError({"max_uses": _("An invite is used at least once.")})
    return Invite.objects.create(team=team, created_by=actor, expires_at=expires_at, max_uses=max_uses,
                                 code=secrets.token_urlsafe(CODE_BYTES))


@transaction.atomic
def invite_revoke(*, invite: Invite, actor: Member) -> Invite:
    """End an invite at once. Rules: the actor coordinates its team or above
    (PermissionDenied). Revoking twice changes nothing."""
    _require_coordinator(actor, invite.team)
    if invite.revoked_at is None:
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at"])
    return invite


@transaction.atomic
def join_register(*, code: str, phone: str, full_name: str, password: str) -> JoinRequest:
    """Ask to join the invite's team. Rules: the code names a usable invite (not
    revoked, expired or used up; its team active), else a ValidationError on `code`;
    the phone is valid; the password passes the validators, checked for everyone
    so that the answer never tells whether the phone is registered. Uses the code
    once. A registered phone gets a request marked `existing_member` for that
    person (the password sent is ignored)."""
    invite = Invite.objects.select_for_update().select_related("team").filter(code=code).first()
    if invite is None or not invite_is_usable(invite):
        raise ValidationError({"code": _("This invite code is not valid (wrong, expired, revoked or used up).")})
    try:
        phone = normalize_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages})
    try:
        validate_password(password, Member(phone=phone, full_name=full_name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})
    hashed = make_password(password)  # for everyone: the time taken tells nothing either
    existing = Member.objects.filter(phone=phone).first()
    Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    return JoinRequest.objects.create(
        team=invite.team, invite=invite, phone=phone, full_name=full_name,
        password="" if existing else hashed, member=existing, existing_member=existing is not None,
    )


def _lock_pending(join_request: JoinRequest) -> JoinRequest:
    locked = JoinRequest.objects.select_for_update().select_related("team").get(pk=join_request.pk)
    if locked.status != JoinStatus.PENDING:
        raise Conflict(_("This join request was already decided."), code="join_request_decided")
    return locked


@transaction.atomic
def join_request_approve(*, join_request: JoinRequest, actor: Member, role: str = Role.MEMBER) -> Member:
    """Let the person in with `role` in the request's team. Rules: the actor
    coordinates that team or above (PermissionDenied), so any role they grant there,
    coordinator included, reaches no further than they do; nobody decides their own
    request (PermissionDenied); the request is still pending (Conflict
    `join_request_decided`: of two approvals at once, one wins); the team is active
    (Conflict `team_inactive`); an unknown role is a ValidationError on `role`. A
    newcomer becomes a member with the password they chose; an existing member gets
    the membership (a role they already hold in that team is kept). Open tasks of
    the teams above reach them as for anyone who joins."""
    _require_coordinator(actor, join_request.team)
    _refuse_own(actor, join_request)
    join_request = _lock_pending(join_request)
    if not join_request.team.is_active:
        raise Conflict(_("This team is archived or merged; it takes no new members."), code="team_inactive")
    _check_grant(actor, join_request.team, role)  # an unknown role, or a team out of the actor's reach
    member = join_request.member
    if member is None:
        member = Member.objects.filter(phone=join_request.phone).first()
    created = False
    if member is None:
        member = Member(phone=join_request.phone, full_name=join_request.full_name, password=join_request.password)
        try:
            with transaction.atomic():
                member.save()
            created = True
        except IntegrityError:  # registered meanwhile (another request for the same phone approved)
            member = Member.objects.get(phone=join_request.phone)
    membership = None if created else Membership.objects.filter(member=member, team=join_request.team).first()
    if membership is None:
        try:
            with transaction.atomic():
                membership = Membership.objects.create(member=member, team=join_request.team, role=role)
        except IntegrityError:
            membership = None
        if membership is not None:
            _assign_open_tasks(membership, actor)
    join_request.status = JoinStatus.APPROVED
    join_request.role = role
    join_request.member = member
    join_request.password = ""
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save()
    return member


@transaction.atomic
def join_request_decline(*, join_request: JoinRequest, actor: Member, reason: str) -> JoinRequest:
    """Say no, with a reason the person can be told. Rules: the actor coordinates
    the request's team or above (PermissionDenied); the request is still pending
    (Conflict `join_request_decided`). The password hash is dropped."""
    _require_coordinator(actor, join_request.team)
    _refuse_own(actor, join_request)
    join_request = _lock_pending(join_request)
    join_request.status = JoinStatus.DECLINED
    join_request.reason = reason
    join_request.password = ""
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save()
    return join_request
