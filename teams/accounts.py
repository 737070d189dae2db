"""Accounts people can keep: their own password, a reset by a coordinator, lifting a login lock.

Every new password moves the person's token version on (Member.set_password):
their access tokens stop at once and every refresh token issued before is dead;
the outstanding refresh tokens are also put on simplejwt's blacklist, so the
admin shows them revoked.
"""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from api.access import MANAGE, scope_for
from api.throttling import login_unlock

from .models import Member, Membership
from .selectors import member_within_reach


def _new_password(member: Member, password: str, field: str = "new_password") -> None:
    try:
        validate_password(password, member)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages})
    member.set_password(password)  # moves token_version on
    member.save()
    outstanding = OutstandingToken.objects.filter(user_id=member.pk, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in outstanding], ignore_conflicts=True)


@transaction.atomic
def member_change_password(*, member: Member, old_password: str, new_password: str) -> None:
    """A person changes their own password. Rules: the old password is right (else a
    ValidationError on `old_password`); the new one passes the password validators
    (on `new_password`). Every token issued before stops working."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not member.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    _new_password(member, new_password)


@transaction.atomic
def member_set_password(*, member: Member, new_password: str, actor: Member) -> None:
    """A coordinator (or a superuser) gives a person a new password, e.g. when they
    forgot theirs. Rules: selectors.member_within_reach (every team of the person
    inside the actor's managed subtrees; never oneself: that is /me/password/),
    else PermissionDenied; the password passes the validators. Every token of the
    person stops working, and the lock on failed logins is lifted."""
    if not member_within_reach(actor, member):
        raise PermissionDenied(_("You cannot change this member."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    _new_password(member, new_password)
    login_unlock(member.phone)


def member_can_unlock(actor: Member, member: Member) -> bool:
    """Coordinators of any of the person's teams (or above), and superusers."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return True
    paths = Membership.objects.filter(member=member).values_list("team__path", flat=True)
    return any(scope.has_capability_at(MANAGE, path) for path in paths)


def member_unlock(*, member: Member, actor: Member) -> None:
    """Lift the lock that failed logins put on the person's phone. Rules:
    member_can_unlock, else PermissionDenied. Writes nothing to the database."""
    if not member_can_unlock(actor, member):
        raise PermissionDenied(_("You do not coordinate this member's teams."))
    login_unlock(member.phone)
