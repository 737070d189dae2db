from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Level, Role, TeamKind
from api.phones import normalize_phone, try_normalize_phone
from .text import fold
from api.authstate import auth_state_changed

# What authentication reads about a person (api/authstate.AuthState).
AUTH_STATE_FIELDS = frozenset({"token_version", "is_active", "is_superuser", "is_staff", "password"})


class MemberManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Either spelling of a number (0912..., +84912...) logs in.
        return self.get(**{self.model.USERNAME_FIELD: try_normalize_phone(username)})

    def _create(self, phone, password, **extra):
        member = self.model(phone=normalize_phone(phone), **extra)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_user(self, phone, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(phone, password, **extra)

    def create_superuser(self, phone, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(phone, password, **extra)


class Member(AbstractBaseUser, PermissionsMixin):
    """A person in the network. The login is their phone number in E.164."""

    phone = models.CharField(_("phone"), max_length=16, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    search_name = models.CharField(max_length=150, editable=False, default="", db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    # False: counted in every total but never named on a member board (PATCH /me/).
    show_on_boards = models.BooleanField(_("show on boards"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Carried in every token as `ver` (api/authentication.py): moving it on ends every
    # session at once. A new password moves it (set_password); so do deactivation and
    # anonymisation (teams.services).
    token_version = models.PositiveIntegerField(default=0, editable=False)

    objects = MemberManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["id"]

    def __str__(self):
        return f"{self.full_name} ({self.phone})"

    def save(self, *args, **kwargs):
        # Derived, not a rule: keeps the folded copy that search reads in step.
        self.search_name = fold(self.full_name)
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or AUTH_STATE_FIELDS.intersection(update_fields):
            # Keeps the cached copy authentication reads in step (api/authstate.py).
            auth_state_changed(self.pk)

    def set_password(self, raw_password):
        """A new password ends every session opened with the old one."""
        super().set_password(raw_password)
        if self.pk is not None:  # a new person has no session to end
            self.revoke_tokens()

    def revoke_tokens(self):
        """Every token issued before stops working once this is saved."""
        self.token_version = (self.token_version or 0) + 1

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name


class Team(models.Model):
    """A node of the tree: `area` teams are the administrative units (province >
    [district >] commune > village); `joint`, `organisation` and `agency` teams sit
    inside an area at the tier their `level` names (see teams.services._check_level).

    `path` is the materialized path of ids ("/1/4/17/"): a subtree is one
    indexed prefix query (`path__startswith`) on SQLite and PostgreSQL alike.
    It is maintained by teams.services (create and move), never by hand.
    """

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices, default=TeamKind.AREA)
    # An inactive team (archived, or merged into another) takes no new members, tasks or
    # surveys and is left out of team lists unless asked for; it stays readable.
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from",
        verbose_name=_("merged into"),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    search_name = models.CharField(max_length=200, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=Level.values), name="team_level_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=TeamKind.values), name="team_kind_valid"),
            models.CheckConstraint(condition=Q(merged_into__isnull=True) | Q(is_active=False),
                                   name="team_merged_is_inactive"),
            # The roots are exactly the provinces of the administrative tree; a province's
            # Youth Union or agency sits under its province.
            models.CheckConstraint(
                condition=Q(level=Level.PROVINCE, kind=TeamKind.AREA, parent__isnull=True)
                | (~Q(level=Level.PROVINCE, kind=TeamKind.AREA) & Q(parent__isnull=False)),
                name="team_only_area_provinces_are_roots",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids above this team, top-down (read from the path, no query)."""
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return ids[:-1]


class Membership(models.Model):
    """A person's role in one team; the role reaches the team's whole subtree."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("member")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("team")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "team"], name="membership_one_per_member_team"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["team", "role"], name="membership_team_role")]

    def __str__(self):
        return f"{self.member_id} {self.role} @ {self.team_id}"

from .joining_models import Invite, JoinRequest, JoinStatus  # noqa: E402,F401  (models of teams.joining)
