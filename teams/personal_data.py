"""Where the personal data of one person lives: what the export reads and what
anonymisation scrubs.

REFERENCES lists every column that points at a person and what happens to it;
tests/privacy/test_registry.py fails when a model gains a key to Member that is
not listed here, so a new table of personal data cannot be forgotten by either.

The other apps build on teams, not the other way round: their models are looked
up by label when a function runs, never imported at module level.
"""
from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.db.models import Q

# (model label, field) -> what the export and anonymisation do with it.
REFERENCES: dict[tuple[str, str], str] = {
    ("teams.Membership", "member"): "exported (memberships); kept on anonymisation: roles place the work",
    ("tasks.Assignment", "assignee"): "exported (assignments); kept: the work counts in the statistics",
    ("tasks.Assignment", "reviewed_by"): "exported as events they acted in; kept: who reviewed is the record",
    ("tasks.AssignmentEvent", "actor"): "exported (assignment_events); kept: the timeline of the work",
    ("tasks.Task", "created_by"): "exported (tasks_created); kept",
    ("tasks.Campaign", "created_by"): "exported (campaigns_created); kept",
    ("tasks.TaskTarget", "created_by"): "exported as the `assigned` events they acted in; kept",
    ("notifications.Notification", "recipient"): "exported (notifications); params scrubbed to the task's "
                                                 "title and dates on anonymisation",
    ("notifications.Device", "member"): "exported (devices); deleted on anonymisation",
    ("api.IdempotencyKey", "member"): "not exported: a 24-hour replay cache; deleted on anonymisation, with "
                                      "every other cached response naming the person",
    ("token_blacklist.OutstandingToken", "user"): "exported (sessions); blacklisted on anonymisation",
    ("admin.LogEntry", "user"): "not exported: the admin's log of staff actions, naming other people; "
                                "entries about the person get the new name on anonymisation",
    ("reports.HistoricalMembership", "member"): "exported (membership_history); kept: history holds ids, "
                                                "never a copy of a name or phone",
    ("reports.HistoricalTeam", "history_user"): "kept: who changed what is the record (by id)",
    ("reports.HistoricalMembership", "history_user"): "kept: who changed what is the record (by id)",
    ("reports.HistoricalTask", "history_user"): "kept: who changed what is the record (by id)",
    ("reports.HistoricalTask", "created_by"): "kept (by id)",
    ("reports.HistoricalCampaign", "history_user"): "kept: who changed what is the record (by id)",
    ("reports.HistoricalCampaign", "created_by"): "kept (by id)",
    # Surveys: surveys/personal_data.py holds the export and anonymisation handlers, to be
    # registered through the apps' hooks (a lower app never imports surveys).
    ("surveys.Survey", "created_by"): "surveys.personal_data.export_for (surveys_created); kept",
    ("surveys.Participation", "member"): "surveys.personal_data.export_for (surveys_answered); kept: it refuses "
                                         "a second response and counts in the response rate",
    ("surveys.SurveyResponse", "member"): "surveys.personal_data.export_for (survey_answers, named surveys only); "
                                          "deleted by surveys.personal_data.anonymise (the tallies keep the counts)",
}

# Notification parameters that are about the task, not the person: kept on anonymisation.
NOTIFICATION_PARAMS_KEPT = frozenset({"task", "due_at", "count", "date", "survey", "survey_id", "closes_at"})

CHUNK_ROWS = 500
FLUSH_BYTES = 64 * 1024


def _model(label: str):
    return apps.get_model(label)


# Export ------------------------------------------------------------------------

def export_sections(member) -> list[tuple[str, object, type]]:
    """(name, rows, row serializer) for every list in the export, in document order.

    Rows are `.values()` of the needed columns only, read in chunks while the
    document streams out.
    """
    from . import serializers as s

    Membership = _model("teams.Membership")
    Assignment = _model("tasks.Assignment")
    AssignmentEvent = _model("tasks.AssignmentEvent")
    Task = _model("tasks.Task")
    Campaign = _model("tasks.Campaign")
    Notification = _model("notifications.Notification")
    PushDelivery = _model("notifications.PushDelivery")
    Device = _model("notifications.Device")
    OutstandingToken = _model("token_blacklist.OutstandingToken")
    HistoricalMembership = _model("reports.HistoricalMembership")

    pk = member.pk
    # Subqueries rather than joins: each side of an OR keeps its own index.
    own_assignments = Assignment.objects.filter(assignee_id=pk).values("id")
    return [
        ("memberships", Membership.objects.filter(member_id=pk).order_by("id").values(
            "id", "team_id", "team__name", "team__level", "role", "created_at", "updated_at"),
         s.PersonalDataMembershipSerializer),
        ("membership_history", HistoricalMembership.objects.filter(member_id=pk).order_by(
            "history_date", "history_id").values(
            "history_id", "id", "history_date", "history_type", "team_id", "role", "history_change_reason",
            "history_user_id"),
         s.PersonalDataMembershipHistorySerializer),
        ("assignments", Assignment.objects.filter(assignee_id=pk).order_by("id").values(
            "id", "task_id", "task__title", "team_id", "team__name", "status", "evidence_url", "evidence_image",
            "note", "decline_reason", "started_at", "completed_at", "reviewed_by_id", "reviewed_at",
            "review_note", "created_at", "updated_at"),
         s.PersonalDataAssignmentSerializer),
        ("assignment_events", AssignmentEvent.objects.filter(
            Q(actor_id=pk) | Q(assignment_id__in=own_assignments)).order_by("id").values(
            "id", "assignment_id", "kind", "actor_id", "from_status", "to_status", "note", "created_at"),
         s.PersonalDataAssignmentEventSerializer),
        ("tasks_created", Task.objects.filter(created_by_id=pk).order_by("id").values(
            "id", "title", "team_id", "created_at"),
         s.PersonalDataTaskSerializer),
        ("campaigns_created", Campaign.objects.filter(created_by_id=pk).order_by("id").values(
            "id", "name", "team_id", "created_at"),
         s.PersonalDataCampaignSerializer),
        ("notifications", Notification.objects.filter(recipient_id=pk).order_by("id").values(
            "id", "kind", "params", "task_id", "assignment_id", "read_at", "created_at"),
         s.PersonalDataNotificationSerializer),
        ("push_deliveries", PushDelivery.objects.filter(
            notification_id__in=Notification.objects.filter(recipient_id=pk).values("id")).order_by("id").values(
            "id", "notification_id", "platform", "outcome", "title", "body", "created_at"),
         s.PersonalDataPushDeliverySerializer),
        ("devices", Device.objects.filter(member_id=pk).order_by("id").values(
            "id", "token", "platform", "language", "created_at", "last_seen"),
         s.PersonalDataDeviceSerializer),
        ("sessions", OutstandingToken.objects.filter(user_id=pk).order_by("id").values(
            "jti", "created_at", "expires_at", "blacklistedtoken__blacklisted_at"),
         s.PersonalDataSessionSerializer),
    ]


def export_stream(member, context: dict):
    """The export document as chunks of UTF-8 JSON: the profile, then each section
    as an array, never more than one chunk of rows in memory."""
    from django.utils import timezone

    from .serializers import PersonalDataProfileSerializer

    def render(data) -> bytes:
        # Values are JSON-ready once a serializer has represented them (times are strings).
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    Member = type(member)
    profile = Member.objects.filter(pk=member.pk).values(
        "id", "phone", "full_name", "is_active", "is_staff", "is_superuser", "date_joined", "last_login",
        "updated_at").get()
    head = {
        "generated_at": timezone.localtime().isoformat(),
        "profile": PersonalDataProfileSerializer(profile, context=context).data,
    }
    buffer = bytearray(render(head)[:-1])  # the object stays open for the sections
    for name, rows, serializer_class in export_sections(member):
        # One serializer per section, applied to each row: building one per row costs
        # more than the row itself.
        serializer = serializer_class(context=context)
        buffer += b',"' + name.encode() + b'":['
        first = True
        for row in rows.iterator(chunk_size=CHUNK_ROWS):
            if not first:
                buffer += b","
            first = False
            buffer += render(serializer.to_representation(row))
            if len(buffer) >= FLUSH_BYTES:
                yield bytes(buffer)
                buffer.clear()
        buffer += b"]"
    buffer += b"}"
    yield bytes(buffer)


# Anonymisation -------------------------------------------------------------------

def _texts(value: str) -> list[bytes]:
    """The ways a string is written in a stored JSON response body."""
    return sorted({value.encode(), json.dumps(value)[1:-1].encode(),
                   json.dumps(value, ensure_ascii=False)[1:-1].encode()})


def scrub_references(member, *, old_phone: str, old_name: str) -> None:
    """Remove what other tables hold about `member` beyond their id (see REFERENCES).

    Called by services.member_anonymise inside its transaction.
    """
    from notifications.messages import render_in
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

    Device = _model("notifications.Device")
    Notification = _model("notifications.Notification")
    PushDelivery = _model("notifications.PushDelivery")
    OutstandingToken = _model("token_blacklist.OutstandingToken")
    IdempotencyKey = _model("api.IdempotencyKey")

    # Push tokens: gone (the record of each push sent stays, without its device).
    Device.objects.filter(member_id=member.pk).delete()

    # Notifications keep the task's title and dates; free text about the person goes,
    # and the texts pushed from them are written again without it.
    for notification in Notification.objects.filter(recipient_id=member.pk).only("id", "kind", "params"):
        params = notification.params if isinstance(notification.params, dict) else {}
        kept = {k: v for k, v in params.items() if k in NOTIFICATION_PARAMS_KEPT}
        if kept == params:
            continue
        Notification.objects.filter(pk=notification.pk).update(params=kept)
        text = render_in(settings.LANGUAGE_CODE, notification.kind, kept)
        PushDelivery.objects.filter(notification_id=notification.pk).update(title=text.title, body=text.body)

    # Sessions: every refresh token stops working (the account is inactive anyway).
    for token_id in OutstandingToken.objects.filter(user_id=member.pk).values_list("id", flat=True):
        BlacklistedToken.objects.get_or_create(token_id=token_id)

    # Replayable responses: the person's own, and any other that shows their name or phone.
    IdempotencyKey.objects.filter(member_id=member.pk).delete()
    needles = _texts(old_phone) + _texts(old_name)
    naming = []
    for key_id, body in (IdempotencyKey.objects.exclude(response_body=None)
                         .values_list("id", "response_body").iterator(chunk_size=CHUNK_ROWS)):
        body = bytes(body)
        if any(needle in body for needle in needles):
            naming.append(key_id)
    IdempotencyKey.objects.filter(pk__in=naming).delete()

    # The admin's log names its objects by str(): entries about this person get the new one.
    if apps.is_installed("django.contrib.admin"):
        from django.contrib.admin.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(member)), object_id=str(member.pk)
        ).update(object_repr=str(member)[:200])
