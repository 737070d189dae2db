"""Writes that carry a rule: the hierarchy's shape and who may grant which role."""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from api import hooks
from api.access import forget_scope, scope_for
from api.exceptions import Conflict

from .choices import LEVEL_ORDER, Level, Role, level_depth
from .models import Member, Membership, Team
from api.phones import anonymised_phone, is_anonymised_phone, normalize_phone
from .selectors import member_within_reach


def _check_level(level: str, parent: Team | None) -> None:
    if level not in Level.values:
        raise ValidationError({"level": _("Unknown level.")})
    if level == Level.PROVINCE:
        if parent is not None:
            raise ValidationError({"parent": _("A province has no parent team.")})
        return
    if parent is None:
        raise ValidationError({"parent": _("This level needs a parent team.")})
    if level_depth(parent.level) != level_depth(level) - 1:
        expected = LEVEL_ORDER[level_depth(level) - 1]
        raise ValidationError(
            {"parent": _("The parent of a %(level)s must be a %(expected)s.")
             % {"level": Level(level).label, "expected": Level(expected).label}}
        )


def _require_manage(actor, path: str | None, field: str | None = None) -> None:
    """The actor must coordinate the team at `path` or a team above it (None: superuser only)."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return
    if path is None or not scope.has_capability_at("manage", path):
        if field:
            raise ValidationError({field: _("You do not coordinate this team.")})
        raise PermissionDenied(_("You do not coordinate this team."))


def team_check_placement(*, team: Team | None, level: str, parent: Team | None) -> None:
    """Whether `team` (None: a new one) may sit at `level` under `parent`.

    Rules: the parent is exactly one level up (provinces have none); a team is
    never put under itself or its own descendant; a team with child teams keeps
    its level. Raises ValidationError naming `parent` or `level`. Writes nothing,
    so forms (the admin) can ask before saving."""
    if team is not None and team.pk is not None:
        if parent is not None and team.path and parent.path.startswith(team.path):
            raise ValidationError({"parent": _("A team cannot be moved under itself or its own descendant.")})
        if level == team.level and (parent.pk if parent else None) == team.parent_id:
            return  # nothing about its place changes
    _check_level(level, parent)
    if team is not None and team.pk is not None and level != team.level and team.children.exists():
        raise ValidationError({"level": _("A team with child teams cannot change level.")})


@transaction.atomic
def team_create(*, name: str, level: str, actor: Member, parent: Team | None = None) -> Team:
    """Create a team under `parent`. Rules: parent exactly one level up; only
    provinces are roots (superusers only); the actor coordinates the parent.
    Raises ValidationError."""
    _require_manage(actor, parent.path if parent else None, field="parent")
    team_check_placement(team=None, level=level, parent=parent)
    team = Team(name=name, level=level, parent=parent)
    team.save()
    team.path = f"{parent.path if parent else '/'}{team.pk}/"
    team.save(update_fields=["path"])
    return team


@transaction.atomic
def team_update(*, team: Team, actor: Member, name: str | None = None,
                level: str | None = None, parent: Team | None = ..., ) -> Team:
    """Rename, re-level or move a team with its whole subtree.

    Rules: the actor coordinates the team (and the new parent when moving); the
    new parent is not the team or below it; levels stay in order for the team
    and its children. Raises PermissionDenied or ValidationError."""
    _require_manage(actor, team.path)
    team = Team.objects.select_for_update().get(pk=team.pk)
    new_parent = team.parent if parent is ... else parent
    new_level = team.level if level is None else level
    moving = (new_parent.pk if new_parent else None) != team.parent_id

    if moving:
        _require_manage(actor, new_parent.path if new_parent else None, field="parent")
    team_check_placement(team=team, level=new_level, parent=new_parent)

    if name is not None:
        team.name = name
    team.level = new_level
    if moving:
        old_path = team.path
        new_path = f"{new_parent.path if new_parent else '/'}{team.pk}/"
        team.parent = new_parent
        # One UPDATE re-roots the whole subtree, this team included.
        Team.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
        team.path = new_path
        # The UPDATE skips save(): whoever keeps a record of the descendants is told (reports' history).
        hooks.subtree_moved.send(team=team, subtree=Team.objects.filter(path__startswith=new_path).exclude(pk=team.pk),
                                 actor=actor)
    team.save()
    return team


@transaction.atomic
def team_delete(*, team: Team, actor: Member) -> None:
    """Delete an empty team. Rules: the actor coordinates it; a team with child
    teams, memberships or tasks is kept (Conflict, 409) and nothing is deleted."""
    _require_manage(actor, team.path)
    reasons = []
    if team.children.exists():
        reasons.append(_("it still has child teams"))
    if team.memberships.exists():
        reasons.append(_("it still has members"))
    for relation in _team_dependants():
        if relation.objects.filter(team=team).exists():
            reasons.append(_("it still has %(what)s") % {"what": relation._meta.verbose_name_plural})
    if reasons:
        raise Conflict(_("This team cannot be deleted: %(reasons)s.") % {"reasons": "; ".join(reasons)},
                       code="team_not_empty")
    team.delete()


def _team_dependants():
    """Models from other apps that hang off a team (tasks, campaigns, assignments...).

    Only PROTECTed keys count: history tables point at teams without a constraint
    (DO_NOTHING) and keep their rows whatever happens to the team.
    """
    from django.apps import apps
    from django.db.models import PROTECT

    found = []
    for model in apps.get_models():
        if model in (Team, Membership):
            continue
        for f in model._meta.get_fields():
            if (getattr(f, "many_to_one", False) and f.related_model is Team and f.name == "team"
                    and f.remote_field.on_delete is PROTECT):
                found.append(model)
    return found


def _check_grant(actor: Member, team: Team, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    _require_manage(actor, team.path, field="team")


@transaction.atomic
def member_create(*, phone: str, full_name: str, password: str, team: Team, role: str,
                  actor: Member) -> Member:
    """Register a person with one membership. Rules: the actor coordinates
    `team`; the phone is valid and not yet registered; the password passes the
    validators. Raises ValidationError."""
    _check_grant(actor, team, role)
    phone = normalize_phone(phone)
    if Member.objects.filter(phone=phone).exists():
        raise ValidationError({"phone": _("A member with this phone number already exists.")})
    member = Member(phone=phone, full_name=full_name)
    try:
        validate_password(password, member)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})
    member.set_password(password)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError({"phone": _("A member with this phone number already exists.")})
    membership = Membership.objects.create(member=member, team=team, role=role)
    _assign_open_tasks(membership, actor)
    return member


@transaction.atomic
def member_update(*, member: Member, actor: Member, **fields) -> Member:
    """Change a member's profile or deactivate them. Rules: see
    selectors.member_within_reach. Raises PermissionDenied or ValidationError."""
    if not member_within_reach(actor, member):
        raise PermissionDenied(_("You cannot change this member."))
    _refuse_anonymised(member)
    if "phone" in fields:
        phone = normalize_phone(fields["phone"])
        if Member.objects.filter(phone=phone).exclude(pk=member.pk).exists():
            raise ValidationError({"phone": _("A member with this phone number already exists.")})
        member.phone = phone
    if "full_name" in fields:
        member.full_name = fields["full_name"]
    if "is_active" in fields:
        if member.is_active and not fields["is_active"]:
            member.revoke_tokens()  # a person who is let back in later logs in anew
        member.is_active = fields["is_active"]
    member.save()
    return member


def _refuse_anonymised(member: Member) -> None:
    if is_anonymised_phone(member.phone):
        raise Conflict(_("This member left and was anonymised; their record can no longer change."),
                       code="member_anonymised")


# Stored, not shown: the network's records are kept in Vietnamese whoever makes the change.
ANONYMISED_NAME = "Thành viên đã rời #{id}"


@transaction.atomic
def member_anonymise(*, member: Member, actor: Member) -> Member:
    """Anonymise a person who left the network.

    Their name becomes "Thành viên đã rời #<id>", their phone a placeholder no
    real number can be (phones.anonymised_phone), their password unusable and
    the account inactive, without staff rights; devices, sessions, free text in
    their notifications and cached responses naming them are removed
    (each app's part, through api.hooks.person_anonymised). Their memberships, assignments, evidence
    and timeline are kept, so every statistic of their teams stays the same
    (except members_active, exactly as for a deactivation).
    Rules: superusers only, never themselves (PermissionDenied); a person already
    anonymised is a Conflict (409), nothing is written twice.
    """
    if not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser can anonymise a member."))
    if member.pk == actor.pk:
        raise PermissionDenied(_("You cannot anonymise yourself."))
    member = Member.objects.select_for_update().get(pk=member.pk)
    if is_anonymised_phone(member.phone):
        raise Conflict(_("This member was already anonymised."), code="already_anonymised")
    old_phone, old_name = member.phone, member.full_name
    member.full_name = ANONYMISED_NAME.format(id=member.pk)
    member.phone = anonymised_phone(member.pk)
    member.set_unusable_password()
    member.revoke_tokens()
    member.is_active = False
    member.is_staff = False
    member.is_superuser = False
    member.last_login = None
    member.save()
    member.groups.clear()
    member.user_permissions.clear()
    hooks.person_anonymised.send(member=member, old_phone=old_phone, old_name=old_name)
    forget_scope(member)
    return member


@transaction.atomic
def me_update(*, member: Member, full_name: str | None = None) -> Member:
    """A member changes their own profile; roles, teams and flags are not theirs to change."""
    if full_name is not None:
        member.full_name = full_name
    member.save()
    return member


@transaction.atomic
def membership_create(*, member: Member, team: Team, role: str, actor: Member) -> Membership:
    """Grant `role` on `team`. Rules: the actor coordinates `team`; nobody grants
    themselves a role; one membership per (member, team). Raises ValidationError."""
    _check_grant(actor, team, role)
    if member.pk == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot change your own roles."))
    _refuse_anonymised(member)
    if Membership.objects.filter(member=member, team=team).exists():
        raise ValidationError({"team": _("This person already has a role in this team.")})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(member=member, team=team, role=role)
    except IntegrityError:
        raise ValidationError({"team": _("This person already has a role in this team.")})
    forget_scope(member)
    _assign_open_tasks(membership, actor)
    return membership


def _assign_open_tasks(membership: Membership, actor: Member) -> None:
    """A new `member` inherits the open tasks fanned out to a team above them (tasks
    connects assign_late_joiner to this hook)."""
    hooks.member_joined.send(membership=membership, actor=actor)


@transaction.atomic
def membership_update(*, membership: Membership, role: str, actor: Member) -> Membership:
    """Change a role. Rules: the actor coordinates the membership's team and is
    not its holder. Raises PermissionDenied or ValidationError."""
    if membership.member_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot change your own roles."))
    _require_manage(actor, membership.team.path)
    _check_grant(actor, membership.team, role)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, actor: Member) -> None:
    """Remove a role. Rules: the actor coordinates the team and is not the holder;
    a person's last membership stays (Conflict, 409): people leave the network by
    deactivation, so nobody is left on record outside every team."""
    if membership.member_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot change your own roles."))
    _require_manage(actor, membership.team.path)
    # Lock the person so two removals at once cannot both see "another role is left".
    Member.objects.select_for_update().filter(pk=membership.member_id).first()
    if not Membership.objects.filter(member_id=membership.member_id).exclude(pk=membership.pk).exists():
        raise Conflict(
            _("This is the person's only role; deactivate the member instead of removing it."),
            code="last_membership",
        )
    membership.delete()
