"""Writes that carry a rule: the hierarchy's shape and who may grant which role."""
from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from api import hooks
from api.access import forget_scope, scope_for
from api.exceptions import Conflict

from .choices import Level, Role, TeamKind, level_depth
from .models import Invite, JoinRequest, Member, Membership, Team
from api.phones import anonymised_phone, is_anonymised_phone, normalize_phone
from .selectors import member_within_reach


def _check_level(level: str, parent: Team | None, kind: str = TeamKind.AREA) -> None:
    """The contract's parent rule: an `area` team's parent is an `area` team of a higher
    level (levels may be skipped); an area province is a root; any other kind's parent
    is a team of its own level or higher, of any kind."""
    if level not in Level.values:
        raise ValidationError({"level": _("Unknown level.")})
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("Unknown kind of team.")})
    if level == Level.PROVINCE and kind == TeamKind.AREA:
        if parent is not None:
            raise ValidationError({"parent": _("A province has no parent team.")})
        return
    if parent is None:
        raise ValidationError({"parent": _("This level needs a parent team.")})
    if kind == TeamKind.AREA:
        if parent.kind != TeamKind.AREA:
            raise ValidationError({"parent": _("The parent of an area team must be an area team.")})
        if level_depth(parent.level) >= level_depth(level):
            raise ValidationError(
                {"parent": _("The parent of a %(level)s must be an area team of a higher level.")
                 % {"level": Level(level).label}}
            )
    elif level_depth(parent.level) > level_depth(level):
        raise ValidationError(
            {"parent": _("The parent of a %(level)s team must be of the same level or higher.")
             % {"level": Level(level).label}}
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


def team_check_placement(*, team: Team | None, level: str, parent: Team | None,
                         kind: str | None = None) -> None:
    """Whether `team` (None: a new one) may sit at `level` (as `kind`) under `parent`.

    Rules: see _check_level (an area team under an area team of a higher level, other
    kinds under a team of their level or higher); a team is never put under itself or
    its own descendant; a team with child teams keeps its level and kind. Raises
    ValidationError naming `parent`, `level` or `kind`. Writes nothing, so forms (the
    admin) can ask before saving."""
    if kind is None:
        kind = team.kind if team is not None and team.kind else TeamKind.AREA
    if team is not None and team.pk is not None:
        if parent is not None and team.path and parent.path.startswith(team.path):
            raise ValidationError({"parent": _("A team cannot be moved under itself or its own descendant.")})
        if (level == team.level and kind == team.kind
                and (parent.pk if parent else None) == team.parent_id):
            return  # nothing about its place changes
    _check_level(level, parent, kind)
    if parent is not None and not parent.is_active:
        raise ValidationError({"parent": _("This team is archived or merged; it takes no new teams.")})
    if team is not None and team.pk is not None and team.children.exists():
        if level != team.level:
            raise ValidationError({"level": _("A team with child teams cannot change level.")})
        if kind != team.kind:
            raise ValidationError({"kind": _("A team with child teams cannot change kind.")})


@transaction.atomic
def team_create(*, name: str, level: str, actor: Member, parent: Team | None = None,
                kind: str = TeamKind.AREA) -> Team:
    """Create a team under `parent`. Rules: team_check_placement's (an area team under
    an area team of a higher level, other kinds at their level or below their parent's);
    only area provinces are roots (superusers only); the actor coordinates the parent.
    Raises ValidationError."""
    _require_manage(actor, parent.path if parent else None, field="parent")
    team_check_placement(team=None, level=level, parent=parent, kind=kind)
    team = Team(name=name, level=level, parent=parent, kind=kind)
    team.save()
    team.path = f"{parent.path if parent else '/'}{team.pk}/"
    team.save(update_fields=["path"])
    return team


@transaction.atomic
def team_update(*, team: Team, actor: Member, name: str | None = None,
                level: str | None = None, parent: Team | None = ..., kind: str | None = None,
                is_active: bool | None = None) -> Team:
    """Rename, re-level or move a team with its whole subtree.

    Rules: the actor coordinates the team (and the new parent when moving); the
    new parent is not the team or below it; the parent rule of team_check_placement
    holds for the team, and a team with children keeps its level and kind.
    `is_active=False` archives it (team_check_archive: Conflict while it has open tasks,
    active members or active child teams); `True` brings an archived team back (never
    a merged one: Conflict). Raises PermissionDenied, ValidationError or Conflict."""
    _require_manage(actor, team.path)
    team = Team.objects.select_for_update().get(pk=team.pk)
    new_parent = team.parent if parent is ... else parent
    new_level = team.level if level is None else level
    new_kind = team.kind if kind is None else kind
    moving = (new_parent.pk if new_parent else None) != team.parent_id

    if moving:
        _require_manage(actor, new_parent.path if new_parent else None, field="parent")
    team_check_placement(team=team, level=new_level, parent=new_parent, kind=new_kind)

    if name is not None:
        team.name = name
    team.level = new_level
    team.kind = new_kind
    if is_active is not None and is_active != team.is_active:
        if is_active:
            if team.merged_into_id:
                raise Conflict(_("This team was merged into another; it stays inactive."), code="team_merged")
            if new_parent is not None and not new_parent.is_active:
                raise ValidationError({"parent": _("This team is archived or merged; it takes no new teams.")})
        else:
            team_check_archive(team=team)
        team.is_active = is_active
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


NAMED_AT_MOST = 5


def _named(names: list[str], total: int) -> str:
    shown = ", ".join(names[:NAMED_AT_MOST])
    return shown + (", …" if total > NAMED_AT_MOST else "")


def team_check_archive(*, team: Team) -> None:
    """Whether `team` may be archived. Rules: no open tasks (asked of the apps above
    through api.hooks.team_archiving), no active members, no active child teams.
    Raises Conflict (409, `team_in_use`) naming what is left; writes nothing."""
    reasons = []
    children = list(team.children.filter(is_active=True).order_by("name").values_list("name", flat=True))
    if children:
        reasons.append(_("%(n)d active child teams (%(names)s)") % {"n": len(children),
                                                                   "names": _named(children, len(children))})
    people = Membership.objects.filter(team=team, member__is_active=True)
    count = people.count()
    if count:
        names = list(people.order_by("member__full_name").values_list("member__full_name", flat=True)[:NAMED_AT_MOST])
        reasons.append(_("%(n)d active members (%(names)s)") % {"n": count, "names": _named(names, count)})
    for found in hooks.team_archiving.send(team=team):
        reasons.extend(found or [])
    if reasons:
        raise Conflict(_("This team cannot be archived: it still has %(reasons)s.") % {"reasons": "; ".join(reasons)},
                       code="team_in_use")


def _require_above_both(actor: Member, team: Team, into: Team) -> None:
    """The actor coordinates a team above both (the nearest common ancestor, or higher)."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return
    a, b = team.path.strip("/").split("/"), into.path.strip("/").split("/")
    common = []
    for x, y in zip(a, b):
        if x != y:
            break
        common.append(x)
    if common in (a, b):  # one lies inside the other: "above both" is above the upper one
        common = common[:-1]
    if not common or not scope.has_capability_at("manage", "/" + "/".join(common) + "/"):
        raise PermissionDenied(_("Only a coordinator of a team above both teams can merge them."))


def _stamp_reason(team: Team, reason: str) -> None:
    team._change_reason = reason  # simple_history reads it for the history row of this save()


@transaction.atomic
def team_merge(*, team: Team, into: Team, actor: Member) -> Team:
    """Merge `team` into `into` (communes that were merged), in one transaction.

    Rules: both have the same level and kind, `into` is neither `team` nor inside its
    subtree (ValidationError on `into`); both are active (Conflict, `team_inactive`);
    the actor coordinates a team above both, or is a superuser (PermissionDenied).
    Child teams, memberships, invites (the open ones revoked), join requests and everything the apps above
    hang on `team` (tasks, campaigns, task targets, assignments' `team`, surveys...
    through api.hooks.teams_merged) move to `into` in set-based statements; a person in both
    keeps one membership with the stronger role (coordinator > observer > member).
    `team` becomes inactive with `merged_into` set; both teams' history records the
    merge. Assignments keep their counts: statistics of `into` include `team`'s past
    work. The open tasks that can reach `team`'s people are locked first
    (api.hooks.teams_merging), the same rows task_assign locks, so a merge and a fan-out
    never interleave. Returns `into`."""
    if into.pk == team.pk:
        raise ValidationError({"into": _("A team cannot be merged into itself.")})
    if into.path.startswith(team.path):
        raise ValidationError({"into": _("A team cannot be merged into a team inside its own subtree.")})
    if into.level != team.level or into.kind != team.kind:
        raise ValidationError({"into": _("Only teams of the same level and kind can be merged.")})
    _require_above_both(actor, team, into)
    # Lock order: the open tasks (as task_assign does), then both teams by id.
    hooks.teams_merging.send(source=team, target=into, actor=actor)
    locked = {t.pk: t for t in Team.objects.select_for_update().filter(pk__in=[team.pk, into.pk]).order_by("pk")}
    team, into = locked[team.pk], locked[into.pk]
    if not team.is_active or not into.is_active:
        raise Conflict(_("Both teams must be active to be merged."), code="team_inactive")
    if into.path.startswith(team.path):  # moved meanwhile
        raise ValidationError({"into": _("A team cannot be merged into a team inside its own subtree.")})
    now = timezone.now()
    reason = f"merged #{team.pk} {team.name} into #{into.pk} {into.name}"

    # Child teams: one UPDATE re-roots every subtree below `team` under `into`.
    moved_ids = list(Team.objects.filter(path__startswith=team.path).exclude(pk=team.pk).values_list("pk", flat=True))
    if moved_ids:
        Team.objects.filter(parent=team).update(parent=into)
        Team.objects.filter(pk__in=moved_ids).update(
            path=Concat(Value(into.path), Substr("path", len(team.path) + 1)), updated_at=now)
        hooks.subtree_moved.send(team=into, subtree=Team.objects.filter(pk__in=moved_ids), actor=actor)

    # Memberships: the stronger role wins for people in both; then one row per person.
    in_both = Membership.objects.filter(team=into).values("member_id")
    for role, weaker in ((Role.COORDINATOR, (Role.OBSERVER, Role.MEMBER)), (Role.OBSERVER, (Role.MEMBER,))):
        Membership.objects.filter(
            team=into, role__in=weaker,
            member_id__in=Membership.objects.filter(team=team, role=role).values("member_id"),
        ).update(role=role, updated_at=now)
    # One DELETE, no per-row signals (1,000 doubles were 1,000 history INSERTs): the
    # history keeper records them first, in one statement.
    doubles = Membership.objects.filter(team=team, member_id__in=in_both)
    hooks.bulk_deleting.send(queryset=doubles, actor=actor, reason=reason)
    _delete_without_signals(doubles)
    Membership.objects.filter(team=team).update(team=into, updated_at=now)
    hooks.bulk_changed.send(queryset=Membership.objects.filter(team=into, updated_at=now), actor=actor,
                            reason=reason)

    # Invites and join requests: the merged team's open invites are revoked (the contract:
    # a code handed out for the old commune joins nobody now), and go with the pending and
    # decided requests to `into`, whose coordinators decide what is still waiting and can
    # hand out codes of their own.
    Invite.objects.filter(team=team, revoked_at__isnull=True).update(revoked_at=now)
    Invite.objects.filter(team=team).update(team=into)
    JoinRequest.objects.filter(team=team).update(team=into, updated_at=now)

    # Everything the apps above hang on the team.
    hooks.teams_merged.send(source=team, target=into, actor=actor)
    left = [f"{model._meta.label}.{name}" for model, name in _team_references()
            if model._default_manager.filter(**{name: team}).exists()]
    if left:  # an app that hangs rows on teams without a teams_merged handler: nothing half-moved
        raise RuntimeError(f"team_merge left rows on team {team.pk}: {', '.join(left)}")

    team.is_active = False
    team.merged_into = into
    _stamp_reason(team, reason)
    team.save()
    _stamp_reason(into, reason)
    into.save()
    return into


def _delete_without_signals(queryset) -> int:
    """DELETE the rows of `queryset` in one statement (nothing references a membership)."""
    ids_sql, params = queryset.values("pk").query.sql_with_params()
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id IN (SELECT * FROM ({ids_sql}) doubles)", params)
        return cursor.rowcount


def _team_references():
    """(model, field name) of every PROTECTed foreign key to Team outside the tree itself."""
    from django.apps import apps
    from django.db.models import PROTECT

    found = []
    for model in apps.get_models():
        if model in (Team, Membership):
            continue
        for f in model._meta.get_fields():
            if (getattr(f, "many_to_one", False) and f.related_model is Team and f.concrete
                    and f.remote_field.on_delete is PROTECT):
                found.append((model, f.name))
    return found


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
    if not team.is_active:
        raise ValidationError({"team": _("This team is archived or merged; it takes no new members.")})


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
def me_update(*, member: Member, full_name: str | None = None, show_on_boards: bool | None = None) -> Member:
    """A member changes their own profile (and whether boards name them); roles, teams and
    flags are not theirs to change."""
    if full_name is not None:
        member.full_name = full_name
    if show_on_boards is not None:
        member.show_on_boards = show_on_boards
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
