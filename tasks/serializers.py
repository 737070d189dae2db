from django.core.validators import URLValidator
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from api.hooks import task_relations
from api.fields import DateTimeField, ScopedIdListField, ScopedPrimaryKeyRelatedField
from teams.models import Member, Team
from teams.selectors import members_readable_by, teams_managed_by, teams_visible_to

from .choices import UNFINISHED_STATUSES, AssignmentStatus, Platform, Priority, TaskKind, TaskStatus
from .models import MAX_QUANTITY, Assignment, AssignmentEvent, Campaign, Task, Topic
from .overdue import is_overdue, task_is_overdue
from .publication import is_published
from .selectors import PROGRESS_STATUSES, campaigns_visible_to, topics_usable_by

URL_MAX_LENGTH = 2000
TEXT_MAX_LENGTH = 2000
# One assign call names at most this many teams and people together: each id is
# resolved and checked, so a body of 100k ids would hold a request (and the task's
# row lock) for minutes. Reaching many people is what team targets are for.
MAX_ASSIGN_TARGETS = 500


class HttpURLField(serializers.URLField):
    """An http(s) URL only: `javascript:`, `data:`, `ftp:` and friends are refused."""

    default_error_messages = {"invalid": _("Enter an http:// or https:// URL.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", URL_MAX_LENGTH)
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)]
        self.validators.append(URLValidator(schemes=["http", "https"], message=self.error_messages["invalid"]))


def topic_field(**kwargs):
    return ScopedPrimaryKeyRelatedField(
        topics_usable_by, Topic, required=False, allow_null=True,
        help_text="An active topic the caller reads, of this team or a team above it.", **kwargs)


# Topics ----------------------------------------------------------------------

class TopicSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "team", "team_name", "name", "is_active", "created_at", "updated_at"]


class TopicCreateSerializer(serializers.Serializer):
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team,
                                        help_text="The team whose subtree uses it: one the caller coordinates.")
    name = serializers.CharField(max_length=120)
    is_active = serializers.BooleanField(required=False)


class TopicUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    is_active = serializers.BooleanField(required=False)

    def to_internal_value(self, data):
        if hasattr(data, "keys") and "team" in data:
            raise serializers.ValidationError({"team": [_("A topic's team cannot be changed.")]})
        return super().to_internal_value(data)


# Campaigns -------------------------------------------------------------------

class CampaignSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    starts_at = DateTimeField(read_only=True, allow_null=True)
    ends_at = DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "description", "team", "team_name", "starts_at", "ends_at", "topic",
                  "created_by", "created_at", "updated_at"]


class CampaignCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_MAX_LENGTH * 5, required=False, allow_blank=True)
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team,
                                        help_text="A team the caller coordinates (or one below it).")
    starts_at = DateTimeField(required=False, allow_null=True)
    ends_at = DateTimeField(required=False, allow_null=True)
    topic = topic_field()

    def validate(self, data):
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_at": _("The end must not be before the start.")})
        return data


class CampaignUpdateSerializer(CampaignCreateSerializer):
    name = serializers.CharField(max_length=200, required=False)
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team, required=False)


# Tasks -----------------------------------------------------------------------

class TaskRelationsReadMixin:
    """Adds the fields higher apps own (api.hooks.task_relations: channel, content) to a task's
    representation; their data comes from the task's own query (the selectors' select_related)."""

    def get_fields(self):
        return {**super().get_fields(), **task_relations.read_fields()}


class TaskRelationsBodyMixin:
    """Adds the body fields higher apps own (api.hooks.task_relations) to task create/update."""

    def get_fields(self):
        return {**super().get_fields(), **task_relations.body_fields()}


class TaskProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    assigned = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completed = serializers.IntegerField()
    verified = serializers.IntegerField()
    rejected = serializers.IntegerField()
    declined = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Unfinished assignments past the due date.")


class TaskSerializer(TaskRelationsReadMixin, serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    progress = serializers.SerializerMethodField(help_text="Assignments of this task by status.")
    is_overdue = serializers.SerializerMethodField()
    publish_at = DateTimeField(read_only=True, allow_null=True,
                               help_text="Until then the assignees neither see nor hear of the task; null: at once.")
    is_published = serializers.SerializerMethodField(
        help_text="false while `publish_at` lies ahead (only coordinators and observers see the task then)."
    )

    class Meta:
        model = Task
        fields = ["id", "title", "instructions", "kind", "platform", "unit", "reference_url", "team", "team_name",
                  "campaign", "topic", "due_at", "publish_at", "is_published", "status", "priority", "created_by",
                  "progress", "is_overdue",
                  "created_at", "updated_at"]

    @extend_schema_field(TaskProgressSerializer)
    def get_progress(self, task):
        counts = {status.value: getattr(task, f"progress_{status.value}", 0) for status in PROGRESS_STATUSES}
        return {"total": sum(counts.values()), **counts, "overdue": getattr(task, "progress_overdue", 0)}

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, task):
        return task_is_overdue(task)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_published(self, task):
        return is_published(task)


class TaskCreateSerializer(TaskRelationsBodyMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    instructions = serializers.CharField(max_length=TEXT_MAX_LENGTH * 5, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    platform = serializers.ChoiceField(choices=Platform.choices,
                                       help_text="Where the work is published; `other` for offline work.")
    unit = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                 help_text="Offline work only: what `quantity` counts, e.g. leaflets.")
    reference_url = HttpURLField(required=False, allow_blank=True)
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team,
                                        help_text="The owning team: one the caller coordinates (or below).")
    campaign = ScopedPrimaryKeyRelatedField(campaigns_visible_to, Campaign, required=False, allow_null=True)
    topic = topic_field()
    due_at = DateTimeField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    publish_at = DateTimeField(
        required=False, allow_null=True,
        help_text="A time ahead (before `due_at`): until then the assignees neither see nor hear of the task; "
                  "at that time they are notified once.",
    )


class TaskUpdateSerializer(TaskRelationsBodyMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    instructions = serializers.CharField(max_length=TEXT_MAX_LENGTH * 5, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=TaskKind.choices, required=False)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    unit = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                 help_text="Offline work only: what `quantity` counts.")
    reference_url = HttpURLField(required=False, allow_blank=True)
    campaign = ScopedPrimaryKeyRelatedField(campaigns_visible_to, Campaign, required=False, allow_null=True)
    topic = topic_field()
    due_at = DateTimeField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    publish_at = DateTimeField(
        required=False, allow_null=True,
        help_text="Only before publication: a time ahead, or null to publish at once (400 once published).",
    )
    status = serializers.ChoiceField(
        choices=TaskStatus.choices, required=False,
        help_text="open or closed; cancelling is POST .../cancel/ (400 here).",
    )

    def to_internal_value(self, data):
        if hasattr(data, "keys") and "team" in data:
            raise serializers.ValidationError({"team": [_("A task's team cannot be changed.")]})
        return super().to_internal_value(data)


class TaskAssignSerializer(serializers.Serializer):
    teams = ScopedIdListField(
        teams_visible_to, Team, required=False, max_length=MAX_ASSIGN_TARGETS,
        help_text="Each team fans out to every active member (role `member`) in its subtree.",
    )
    members = ScopedIdListField(
        members_readable_by, Member, required=False, max_length=MAX_ASSIGN_TARGETS,
        help_text=f"People assigned directly; each needs a role inside the task's team. "
                  f"At most {MAX_ASSIGN_TARGETS} teams and members together per call.",
    )

    def to_internal_value(self, data):
        # Counted before any id is looked up, so an oversized body costs no queries.
        if hasattr(data, "get"):
            count = sum(len(data.get(name)) for name in ("teams", "members") if isinstance(data.get(name), list))
            if count > MAX_ASSIGN_TARGETS:
                raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
                    _("At most %(limit)d teams and members can be named in one call (%(count)d were sent); "
                      "assign their teams instead: a team reaches every member below it.")
                    % {"limit": MAX_ASSIGN_TARGETS, "count": count}
                ]})
        return super().to_internal_value(data)

    def validate(self, data):
        if not data.get("teams") and not data.get("members"):
            raise serializers.ValidationError({"teams": [_("Name at least one team or member.")]})
        return data


class TaskAssignResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Assignments made by this request.")
    already_assigned = serializers.IntegerField(help_text="Targeted people who already had the task.")


# Assignments -----------------------------------------------------------------

class AssignmentTaskSerializer(TaskRelationsReadMixin, serializers.ModelSerializer):
    """The task as a phone needs it to do the work: no second call for the instructions."""

    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "title", "instructions", "kind", "platform", "unit", "reference_url", "due_at", "status",
                  "priority", "team", "team_name", "campaign", "topic", "updated_at"]


class AssignmentSerializer(serializers.ModelSerializer):
    task = AssignmentTaskSerializer(read_only=True)
    assignee_name = serializers.CharField(source="assignee.full_name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    evidence_image = serializers.SerializerMethodField(
        help_text="null, or the URL that serves the image to callers who can see this assignment."
    )
    is_overdue = serializers.SerializerMethodField()
    reviewed_by_name = serializers.CharField(
        source="reviewed_by.full_name", read_only=True, default=None, allow_null=True,
        help_text="The name of the coordinator who verified or rejected the work; null before a review.",
    )
    reason = serializers.SerializerMethodField(
        help_text="The `reason` sent with `reject` (while the status is `rejected`) or with `decline` "
                  "(while it is `declined`), under the name it was sent as; an empty string otherwise.",
    )

    class Meta:
        model = Assignment
        fields = ["id", "task", "assignee", "assignee_name", "team", "team_name", "status", "evidence_url",
                  "evidence_image", "note", "quantity", "reason", "decline_reason", "started_at", "completed_at",
                  "reviewed_by", "reviewed_by_name", "reviewed_at", "review_note", "is_overdue", "created_at",
                  "updated_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_reason(self, assignment):
        if assignment.status == AssignmentStatus.REJECTED:
            return assignment.review_note
        if assignment.status == AssignmentStatus.DECLINED:
            return assignment.decline_reason
        return ""

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_evidence_image(self, assignment):
        if not assignment.evidence_image:
            return None
        try:
            url = reverse("assignment-evidence-image", kwargs={"pk": assignment.pk})
        except NoReverseMatch:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, assignment):
        return is_overdue(assignment)


class AssignmentCompleteSerializer(serializers.Serializer):
    evidence_url = HttpURLField(required=False, allow_blank=True,
                                help_text="Link to the published work (http or https); required for online work "
                                          "unless an image is sent; offline work needs none.")
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)
    quantity = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_QUANTITY,
        help_text=f"Offline work only, and required there: how much was done (0..{MAX_QUANTITY:,}), in the "
                  "task's `unit`.",
    )
    on_behalf = serializers.BooleanField(
        required=False, default=False,
        help_text="A coordinator above the assignment records offline work for a member without a smartphone; "
                  "the timeline names the coordinator. Online work never (403).",
    )
    evidence_image = serializers.FileField(
        required=False, allow_empty_file=False,
        help_text="A screenshot (multipart): JPEG, PNG or WebP, at most 5 MB; metadata such as GPS is removed.",
    )

    def validate_evidence_image(self, upload):
        from api.images import clean_evidence_image

        try:
            return clean_evidence_image(upload)
        except serializers.ValidationError as exc:  # keyed by field already; this is that field
            raise serializers.ValidationError(exc.detail.get("evidence_image", exc.detail))


class AssignmentCompleteJsonSerializer(AssignmentCompleteSerializer):
    """`complete` as JSON: a link only (the photo needs multipart)."""

    evidence_url = HttpURLField(required=False, allow_blank=True,
                                help_text="Link to the published work (http or https); required for online work, "
                                          "not needed for offline work.")
    evidence_image = None


class AssignmentDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class AssignmentVerifySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)


class AssignmentRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice stored as "" when there is none, sent as null (an enum has no empty member)."""

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class AssignmentEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.full_name", read_only=True, default=None, allow_null=True)
    from_status = BlankAsNullChoiceField(choices=AssignmentStatus.choices, allow_null=True, read_only=True,
                                         help_text="null for the first event (the assignment was made).")
    to_status = serializers.ChoiceField(choices=AssignmentStatus.choices, read_only=True)

    class Meta:
        model = AssignmentEvent
        fields = ["id", "kind", "actor", "actor_name", "from_status", "to_status", "note", "created_at"]
