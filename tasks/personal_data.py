"""What tasks/ holds about a person (declared to api.hooks.personal_data)."""
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.hooks import ExportSection, personal_data

from .choices import AssignmentStatus, EventKind
from .models import Assignment, AssignmentEvent, Campaign, Task


class PersonalDataAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    task = serializers.IntegerField(source="task_id")
    task_title = serializers.CharField(source="task__title")
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team__name")
    status = serializers.CharField()
    evidence_url = serializers.CharField(allow_blank=True)
    evidence_image = serializers.SerializerMethodField(help_text="null, or the URL that serves the image.")
    note = serializers.CharField(allow_blank=True)
    decline_reason = serializers.CharField(allow_blank=True)
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.IntegerField(source="reviewed_by_id", allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_image(self, row):
        if not row.get("evidence_image"):
            return None
        url = reverse("assignment-evidence-image", kwargs={"pk": row["id"]})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class PersonalDataAssignmentEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    kind = serializers.CharField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class PersonalDataTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    team = serializers.IntegerField(source="team_id")
    created_at = serializers.DateTimeField()


class PersonalDataCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.IntegerField(source="team_id")
    created_at = serializers.DateTimeField()


def _assignments(member):
    return Assignment.objects.filter(assignee_id=member.pk).order_by("id").values(
        "id", "task_id", "task__title", "team_id", "team__name", "status", "evidence_url", "evidence_image",
        "note", "decline_reason", "started_at", "completed_at", "reviewed_by_id", "reviewed_at",
        "review_note", "created_at", "updated_at")


class _Timeline:
    """The "assigned" steps (id 0, from the assignment rows: tasks.selectors.assigned_step)
    then the stored events, read like one `.values()` queryset."""

    def __init__(self, member):
        self.member = member

    def iterator(self, chunk_size: int):
        late_note = _("Joined a team this task was assigned to.")
        # Two queries, not an OR: each side keeps its own index (assigned_by has none: an
        # export is rare, a fan-out of 100k rows would pay for one on every row).
        seen = set()
        for condition in (Q(assignee_id=self.member.pk), Q(assigned_by_id=self.member.pk)):
            rows = (Assignment.objects.filter(condition).order_by("id")
                    .values_list("id", "assigned_by_id", "joined_late", "created_at"))
            for pk, actor_id, late, created_at in rows.iterator(chunk_size=chunk_size):
                if pk in seen:
                    continue
                seen.add(pk)
                yield {"id": 0, "assignment_id": pk, "kind": EventKind.ASSIGNED, "actor_id": actor_id,
                       "from_status": "", "to_status": AssignmentStatus.ASSIGNED,
                       "note": late_note if late else "", "created_at": created_at}
        # Subqueries rather than joins: each side of an OR keeps its own index.
        own_assignments = Assignment.objects.filter(assignee_id=self.member.pk).values("id")
        yield from AssignmentEvent.objects.filter(
            Q(actor_id=self.member.pk) | Q(assignment_id__in=own_assignments)).order_by("id").values(
            "id", "assignment_id", "kind", "actor_id", "from_status", "to_status", "note", "created_at",
        ).iterator(chunk_size=chunk_size)


def _events(member):
    return _Timeline(member)


def declare() -> None:
    personal_data.declare(
        "tasks",
        references={
            ("tasks.Assignment", "assignee"): "exported (assignments); kept: the work counts in the statistics",
            ("tasks.Assignment", "reviewed_by"): "exported as events they acted in; kept: who reviewed is the record",
            ("tasks.Assignment", "assigned_by"): "exported as the `assigned` steps they acted in; kept",
            ("tasks.AssignmentEvent", "actor"): "exported (assignment_events); kept: the timeline of the work",
            ("tasks.Task", "created_by"): "exported (tasks_created); kept",
            ("tasks.Campaign", "created_by"): "exported (campaigns_created); kept",
            ("tasks.TaskTarget", "created_by"): "exported as the `assigned` events they acted in; kept",
            ("tasks.Topic", "created_by"): "kept: a topic is its team's label, not a record of the person",
        },
        sections=(
            ExportSection("assignments", 30, _assignments, PersonalDataAssignmentSerializer),
            ExportSection("assignment_events", 40, _events, PersonalDataAssignmentEventSerializer,
                          "Timeline entries the caller acted in or that concern their assignments."),
            ExportSection("tasks_created", 50, lambda m: Task.objects.filter(created_by_id=m.pk).order_by("id")
                          .values("id", "title", "team_id", "created_at"), PersonalDataTaskSerializer),
            ExportSection("campaigns_created", 60, lambda m: Campaign.objects.filter(created_by_id=m.pk)
                          .order_by("id").values("id", "name", "team_id", "created_at"),
                          PersonalDataCampaignSerializer),
        ),
    )
