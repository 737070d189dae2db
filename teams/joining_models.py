"""Joining a team: invites and the join requests they bring (imported by teams.models)."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Role


class Invite(models.Model):
    """A code a team hands out; each registration with it is a join request for that team.

    The code is random (secrets.token_urlsafe), never derived from the id. `uses`
    counts the registrations made with it; `max_uses` null is no limit,
    `expires_at` null never expires, `revoked_at` set ends it."""

    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="invites", verbose_name=_("team"))
    code = models.CharField(_("code"), max_length=32, unique=True)
    created_by = models.ForeignKey("teams.Member", on_delete=models.PROTECT, related_name="invites_created",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("max uses"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("uses"), default=0)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invite")
        verbose_name_plural = _("invites")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__isnull=True) | Q(uses__lte=models.F("max_uses")),
                                   name="invite_uses_within_max"),
        ]

    def __str__(self):
        return f"invite {self.pk} @ {self.team_id}"


class JoinStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class JoinRequest(models.Model):
    """Someone asking to join a team with an invite's code.

    A newcomer is not a member until a coordinator approves: nothing but this row
    holds them (so they cannot log in), and their password is kept only as a hash
    until the decision, then dropped. A person already in the network
    (`existing_member`) is asking to join this team too: `member` is them and no
    password is kept."""

    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="join_requests",
                             verbose_name=_("team"))
    invite = models.ForeignKey(Invite, on_delete=models.PROTECT, related_name="join_requests",
                               verbose_name=_("invite"))
    phone = models.CharField(_("phone"), max_length=16, db_index=True)
    full_name = models.CharField(_("full name"), max_length=150)
    password = models.CharField(max_length=128, blank=True, default="")
    member = models.ForeignKey("teams.Member", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="join_requests", verbose_name=_("member"))
    existing_member = models.BooleanField(_("existing member"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=JoinStatus.choices, default=JoinStatus.PENDING)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    decided_by = models.ForeignKey("teams.Member", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="join_requests_decided", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-id"]
        indexes = [models.Index(fields=["team", "status"], name="joinrequest_team_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JoinStatus.values), name="joinrequest_status_valid"),
        ]

    def __str__(self):
        return f"join request {self.pk} ({self.status}) @ {self.team_id}"
