from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import DateTimeField, ScopedIdListField, ScopedPrimaryKeyRelatedField
from tasks.choices import Platform, TaskKind
from tasks.models import Campaign
from tasks.selectors import campaigns_visible_to
from tasks.serializers import TEXT_MAX_LENGTH, HttpURLField, topic_field
from teams.models import Member, Team
from teams.selectors import members_readable_by, teams_managed_by, teams_visible_to

from .choices import ChannelKind, Repeat
from .models import Channel, ChannelPost, ContentItem, Schedule
from .selectors import channels_visible_to, content_usable_by, content_visible_to, teams_authoring_for
from .services.schedules import MAX_DUE_HOURS

MAX_MANAGERS = 50
MAX_TARGET = 100


# Channels -------------------------------------------------------------------------

class ChannelSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    managers = serializers.PrimaryKeyRelatedField(many=True, read_only=True,
                                                  help_text="Ids of the people who post on it.")

    class Meta:
        model = Channel
        fields = ["id", "team", "team_name", "platform", "name", "url", "kind", "posts_per_day_target",
                  "is_active", "managers", "created_at", "updated_at"]


class ChannelCreateSerializer(serializers.Serializer):
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team,
                                        help_text="The team that runs the page: one the caller coordinates.")
    platform = serializers.ChoiceField(choices=Platform.choices)
    name = serializers.CharField(max_length=200)
    url = HttpURLField(help_text="The page's own address (http or https); not a person's profile.")
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    posts_per_day_target = serializers.IntegerField(min_value=0, max_value=MAX_TARGET, required=False)
    is_active = serializers.BooleanField(required=False)
    managers = ScopedIdListField(members_readable_by, Member, required=False, max_length=MAX_MANAGERS,
                                 help_text="People with a role in the team's subtree who post on it.")


class ChannelUpdateSerializer(ChannelCreateSerializer):
    team = None
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    name = serializers.CharField(max_length=200, required=False)
    url = HttpURLField(required=False)
    kind = serializers.ChoiceField(choices=ChannelKind.choices, required=False)

    def to_internal_value(self, data):
        if hasattr(data, "keys") and "team" in data:
            raise serializers.ValidationError({"team": [_("A channel's team cannot be changed.")]})
        return super().to_internal_value(data)


class ChannelPostSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChannelPost
        fields = ["id", "channel", "url", "published_at", "topic", "content", "note", "assignment",
                  "created_by", "created_at"]


class ChannelPostCreateSerializer(serializers.Serializer):
    url = HttpURLField(help_text="The published item's address (http or https).")
    published_at = DateTimeField(required=False, help_text="When it was published; now by default.")
    topic = topic_field()
    content = ScopedPrimaryKeyRelatedField(content_visible_to, ContentItem, required=False, allow_null=True,
                                           help_text="The library item it publishes, if any.")
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)


class ChannelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    platform = serializers.ChoiceField(choices=Platform.choices)


class ChannelStatsSerializer(serializers.Serializer):
    channel = ChannelRefSerializer()
    posts = serializers.IntegerField(help_text="Posts in the range.")
    days = serializers.IntegerField(help_text="Days in the range (Asia/Ho_Chi_Minh).")
    target_per_day = serializers.IntegerField()
    days_on_target = serializers.IntegerField(help_text="Days whose posts reached the target.")
    on_target_rate = serializers.FloatField(help_text="days_on_target / days.")


# What a task publishes (inline on the task and on each assignment's task) -------------

class TaskMaterialSerializer(serializers.Serializer):
    """The approved content a task carries, so the member has the material on the phone."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    links = serializers.ListField(child=serializers.URLField())


# The content library -----------------------------------------------------------------

class ContentItemSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    links = serializers.ListField(child=serializers.URLField(), read_only=True)

    class Meta:
        model = ContentItem
        fields = ["id", "team", "team_name", "title", "body", "links", "topic", "status", "expires_at",
                  "created_by", "reviewed_by", "reviewed_at", "review_note", "created_at", "updated_at"]


class ContentItemCreateSerializer(serializers.Serializer):
    team = ScopedPrimaryKeyRelatedField(
        teams_authoring_for, Team,
        help_text="A team the caller coordinates (or below), or the team of a channel the caller manages.")
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=TEXT_MAX_LENGTH * 10, required=False, allow_blank=True)
    links = serializers.ListField(child=HttpURLField(), required=False, max_length=20,
                                  help_text="http(s) links of the material (at most 20).")
    topic = topic_field()
    expires_at = DateTimeField(required=False, allow_null=True,
                               help_text="After this time members no longer see it and no task can carry it.")


class ContentItemUpdateSerializer(ContentItemCreateSerializer):
    team = None
    title = serializers.CharField(max_length=200, required=False)

    def to_internal_value(self, data):
        if hasattr(data, "keys") and "team" in data:
            raise serializers.ValidationError({"team": [_("An item's team cannot be changed.")]})
        return super().to_internal_value(data)


class ContentApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=TEXT_MAX_LENGTH, required=False, allow_blank=True)


class ContentRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=TEXT_MAX_LENGTH)


# Schedules ---------------------------------------------------------------------------

MAX_SCHEDULE_TARGETS = 200


class ScheduleTargetsSerializer(serializers.Serializer):
    teams = serializers.SerializerMethodField(help_text="Each team fans out to its members, at each occurrence.")
    members = serializers.SerializerMethodField(help_text="People assigned directly at each occurrence.")

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_teams(self, schedule) -> list[int]:
        return [team.pk for team in schedule.target_teams.all()]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_members(self, schedule) -> list[int]:
        return [member.pk for member in schedule.target_members.all()]


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "07:30"})
class LocalTimeField(serializers.TimeField):
    """`HH:MM`, Asia/Ho_Chi_Minh wall-clock time. In the schema a patterned string, not
    `format: time` (RFC 3339's full-time has seconds and an offset; this has neither)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M"])
        kwargs.setdefault("help_text", "Local time (Asia/Ho_Chi_Minh) of each occurrence, `HH:MM`.")
        super().__init__(**kwargs)


class ScheduleSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)
    targets = ScheduleTargetsSerializer(source="*", read_only=True)
    time = LocalTimeField(read_only=True)

    class Meta:
        model = Schedule
        fields = ["id", "team", "team_name", "title", "instructions", "kind", "platform", "channel", "content",
                  "topic", "campaign", "targets", "repeat", "weekday", "time", "due_hours", "starts_on", "ends_on",
                  "is_active", "last_run_at", "next_run_at", "last_error", "created_by", "created_at", "updated_at"]
        extra_kwargs = {
            "weekday": {"help_text": "For `weekly`: 0 Monday .. 6 Sunday; null otherwise."},
            "next_run_at": {"help_text": "The next occurrence; null while paused or after `ends_on`."},
            "last_run_at": {"help_text": "When the worker last made an occurrence's task."},
            "last_error": {"help_text": "Why the last occurrence made no task (empty when it did)."},
        }


class ScheduleTargetsBodySerializer(serializers.Serializer):
    teams = ScopedIdListField(teams_visible_to, Team, required=False, max_length=MAX_SCHEDULE_TARGETS,
                              help_text="Teams inside the schedule's team; each fans out to its members.")
    members = ScopedIdListField(members_readable_by, Member, required=False, max_length=MAX_SCHEDULE_TARGETS,
                                help_text="People with a role inside the schedule's team, assigned directly.")


def _date_in_reach(value):
    if not 2000 <= value.year <= 2100:
        raise serializers.ValidationError(_("Give a date between the years 2000 and 2100."))
    return value


class ScheduleCreateSerializer(serializers.Serializer):
    team = ScopedPrimaryKeyRelatedField(teams_managed_by, Team,
                                        help_text="The owning team of each task: one the caller coordinates.")
    title = serializers.CharField(max_length=200)
    instructions = serializers.CharField(max_length=TEXT_MAX_LENGTH * 5, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=TaskKind.choices)
    platform = serializers.ChoiceField(choices=Platform.choices)
    channel = ScopedPrimaryKeyRelatedField(channels_visible_to, Channel, required=False, allow_null=True)
    content = ScopedPrimaryKeyRelatedField(content_usable_by, ContentItem, required=False, allow_null=True)
    topic = topic_field()
    campaign = ScopedPrimaryKeyRelatedField(campaigns_visible_to, Campaign, required=False, allow_null=True)
    targets = ScheduleTargetsBodySerializer()
    repeat = serializers.ChoiceField(choices=Repeat.choices)
    weekday = serializers.IntegerField(min_value=0, max_value=6, required=False, allow_null=True,
                                       help_text="For `weekly` (required then): 0 Monday .. 6 Sunday.")
    time = LocalTimeField()
    due_hours = serializers.IntegerField(min_value=1, max_value=MAX_DUE_HOURS, required=False, allow_null=True,
                                         help_text="Each task is due this many hours after its occurrence.")
    starts_on = serializers.DateField(required=False, validators=[_date_in_reach],
                                      help_text="The first day (local) that may hold an occurrence; today by default.")
    ends_on = serializers.DateField(required=False, allow_null=True, validators=[_date_in_reach],
                                    help_text="The last day (local) that may hold one; none: no end.")


class ScheduleUpdateSerializer(ScheduleCreateSerializer):
    team = None
    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=TaskKind.choices, required=False)
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    targets = ScheduleTargetsBodySerializer(required=False)
    repeat = serializers.ChoiceField(choices=Repeat.choices, required=False)
    time = LocalTimeField(required=False)

    def to_internal_value(self, data):
        if hasattr(data, "keys") and "team" in data:
            raise serializers.ValidationError({"team": [_("A schedule's team cannot be changed.")]})
        return super().to_internal_value(data)
