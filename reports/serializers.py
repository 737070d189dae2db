from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import EARLIEST, DateField, HistoryTypeField
from publishing.serializers import ChannelStatsSerializer
from tasks.serializers import TaskProgressSerializer
from teams.choices import Level

from . import selectors

# Query parameters -----------------------------------------------------------


class StatsQuerySerializer(serializers.Serializer):
    """Filters of the statistics endpoints; days are calendar days in Asia/Ho_Chi_Minh."""

    task = serializers.IntegerField(required=False, min_value=1, help_text="Only this task's assignments.")
    campaign = serializers.IntegerField(
        required=False, min_value=1, help_text="Only assignments of this campaign's tasks."
    )
    topic = serializers.IntegerField(
        required=False, min_value=1, help_text="Only work on this topic (assignments of its tasks; on "
                                               "stats/channels/, posts on it)."
    )
    since = DateField(
        required=False, help_text="First day counted (on the assignment's creation), YYYY-MM-DD, included."
    )
    until = DateField(
        required=False, help_text="Last day counted (on the assignment's creation), YYYY-MM-DD, included."
    )

    def validate(self, attrs):
        check_range(attrs.get("since"), attrs.get("until"))
        return attrs


def check_range(since, until) -> None:
    """since <= until, and at most MAX_RANGE_DAYS days from one to the other (both included)."""
    if since is None or until is None:
        return
    if since > until:
        raise serializers.ValidationError({"since": [_("Must not be after until.")]})
    if (until - since).days + 1 > selectors.MAX_RANGE_DAYS:
        raise serializers.ValidationError(
            {"until": [_("The range may span at most %(days)d days.") % {"days": selectors.MAX_RANGE_DAYS}]}
        )


class CampaignStatsQuerySerializer(StatsQuerySerializer):
    campaign = None


class DailyQuerySerializer(StatsQuerySerializer):
    """A daily series needs a bounded range: by default the 30 days up to today."""

    since = DateField(required=False, help_text="First day, YYYY-MM-DD (default: 29 days before until).")
    until = DateField(required=False, help_text="Last day, YYYY-MM-DD (default: today).")

    def validate(self, attrs):
        until = attrs.get("until") or timezone.localdate()
        earliest = EARLIEST.date()
        since = attrs.get("since") or max(until, earliest + timedelta(days=29)) - timedelta(days=29)
        check_range(since, until)
        attrs["since"], attrs["until"] = since, until
        return attrs


class ChannelStatsQuerySerializer(DailyQuerySerializer):
    """Channel statistics count posts by the day they were published (not assignments)."""

    task = None
    campaign = None
    since = DateField(required=False, help_text="First day, YYYY-MM-DD, Asia/Ho_Chi_Minh (default: 29 days "
                                                "before until).")
    until = DateField(required=False, help_text="Last day, YYYY-MM-DD (default: today).")


# Responses ------------------------------------------------------------------


class AssignmentCountsSerializer(TaskProgressSerializer):
    """The contract's counts: the same columns as a task's progress, over a subtree."""

    overdue = serializers.IntegerField(
        help_text="The task's due time has passed and the work is still assigned, in progress or rejected."
    )


class ReportTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)


class CountsFieldsMixin(serializers.Serializer):
    assignments = AssignmentCountsSerializer()
    completion_rate = serializers.FloatField(
        help_text="(completed + verified) / (total - cancelled); 0 when there is nothing to count."
    )
    quantity = serializers.IntegerField(
        help_text="Offline work done: the sum of `quantity` over completed and verified assignments."
    )


class TeamStatsSerializer(CountsFieldsMixin):
    team = ReportTeamSerializer()
    members_active = serializers.IntegerField(help_text="Active people holding the member role in the subtree.")


class ChildTeamStatsSerializer(TeamStatsSerializer):
    pass


class DailyStatsSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Calendar day in Asia/Ho_Chi_Minh.")
    created = serializers.IntegerField()
    completed = serializers.IntegerField(help_text="Handed in that day (by completed_at).")
    verified = serializers.IntegerField(help_text="Verified that day (by reviewed_at).")
    quantity = serializers.IntegerField(
        help_text="Offline work handed in that day (by completed_at) that is completed or verified: its quantities summed."
    )


class BoardMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    is_active = serializers.BooleanField()


class MemberStatsSerializer(CountsFieldsMixin):
    member = BoardMemberSerializer()
    median_completion_seconds = serializers.FloatField(
        allow_null=True, help_text="Median time from assignment to completion; null without finished work."
    )


class CampaignRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    team = serializers.IntegerField()


class CampaignStatsSerializer(CountsFieldsMixin):
    campaign = CampaignRefSerializer()
    tasks = serializers.IntegerField(help_text="Tasks in the campaign (with `topic`, those on that topic).")
    members_active = serializers.IntegerField(
        help_text="Active people holding the member role in the campaign team's subtree."
    )


class HistoryActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name, e.g. `name`, `parent`, `status`.")
    old = serializers.CharField(
        allow_null=True, help_text="The value before, as text (ids and numbers in digits, times in ISO 8601, "
                                   "true/false); null when there was none.")
    new = serializers.CharField(allow_null=True, help_text="The value after, as text; null when there is none.")


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    changed_at = serializers.DateTimeField()
    changed_by = HistoryActorSerializer(allow_null=True)
    type = HistoryTypeField(help_text="`created`, `changed` or `deleted`.")
    reason = serializers.CharField(allow_null=True)
    changes = HistoryChangeSerializer(many=True)


# Participation, team board, period reports -----------------------------------------


class ParticipationQuerySerializer(serializers.Serializer):
    since = DateField(required=False, help_text="A day of the first period, YYYY-MM-DD (default: eleven months "
                                                "or weeks before until).")
    until = DateField(required=False, help_text="A day of the last period, YYYY-MM-DD (default: today).")
    interval = serializers.ChoiceField(choices=["week", "month"], default="month",
                                       help_text="`week` (Monday to Sunday) or `month`.")
    topic = serializers.IntegerField(
        required=False, min_value=1, help_text="`active` and `lapsed` count only work handed in on this topic's "
                                               "tasks; `members` and `new` are unchanged."
    )

    def validate(self, attrs):
        from .participation import default_range

        until = attrs.get("until") or timezone.localdate()
        since = attrs.get("since")
        if since is None:
            since = max(default_range(attrs["interval"], until)[0], EARLIEST.date() + timedelta(days=7))
        check_range(since, until)
        attrs["since"], attrs["until"] = since, until
        return attrs


class ParticipationRowSerializer(serializers.Serializer):
    period_start = serializers.DateField(help_text="First day of the week (a Monday) or month.")
    members = serializers.IntegerField(help_text="People holding the member role in the subtree by the period's end.")
    active = serializers.IntegerField(help_text="People who handed in at least one piece of work in the period.")
    new = serializers.IntegerField(help_text="People whose first member role in the subtree began in the period.")
    lapsed = serializers.IntegerField(help_text="Active in the period before, not in this one.")


class TeamBoardRowSerializer(TeamStatsSerializer):
    rank = serializers.IntegerField(help_text="1 for the child team with the most verified work.")


class ReportQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=["week", "month", "quarter", "year"], default="month",
                                     help_text="The kind of period.")
    date = DateField(required=False, help_text="A day inside the period, YYYY-MM-DD (default: today).")

    def validate(self, attrs):
        from .periods import period_of

        day = attrs.get("date") or timezone.localdate()
        try:
            attrs["period"] = period_of(attrs["period"], day)
            attrs["period"].next()
            attrs["period"].previous()
        except (ValueError, OverflowError):
            raise serializers.ValidationError({"date": [_("This day is outside the calendar the reports cover.")]})
        return attrs


class ReportPeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="Last day of the period, included.")
    label = serializers.CharField(help_text="e.g. 2026-W48, 2026-11, 2026-Q4, 2026.")


class ReportStatsSerializer(CountsFieldsMixin):
    members_active = serializers.IntegerField(help_text="Active people holding the member role in the subtree now.")


class ReportCampaignSerializer(CountsFieldsMixin):
    campaign = CampaignRefSerializer()
    tasks = serializers.IntegerField(help_text="Tasks of the campaign with work created in the period.")


class ReportParticipationSerializer(serializers.Serializer):
    members = serializers.IntegerField()
    active = serializers.IntegerField()
    new = serializers.IntegerField()
    lapsed = serializers.IntegerField()


class ReportSurveyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ReportSurveySerializer(serializers.Serializer):
    survey = ReportSurveyRefSerializer()
    responses = serializers.IntegerField()
    audience_size = serializers.IntegerField()
    response_rate = serializers.FloatField()


class PeriodReportSerializer(serializers.Serializer):
    team = ReportTeamSerializer()
    period = ReportPeriodSerializer()
    generated_at = serializers.DateTimeField()
    stats = ReportStatsSerializer(help_text="Assignments created in the period, by status now; `quantity` sums the "
                                            "offline work among them that is completed or verified.")
    children = ChildTeamStatsSerializer(many=True, help_text="The same per direct child team.")
    campaigns = ReportCampaignSerializer(many=True)
    participation = ReportParticipationSerializer()
    channels = ChannelStatsSerializer(many=True, help_text=(
        "Every channel of the subtree's teams (inactive ones too): posts in the period against its daily target, "
        "the numbers of stats/channels/ with since and until set to the period's first and last day."))
    daily = DailyStatsSerializer(many=True)
    surveys = ReportSurveySerializer(many=True, required=False,
                                     help_text="Surveys of the subtree open during the period.")


class ReportDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField(
        help_text="Served to the subscriber and to anyone else who reads the team's reports.")

    def get_download_url(self, obj) -> str:
        return f"/api/v1/report-deliveries/{obj.pk}/download/"


class ReportSubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    team = serializers.IntegerField(source="team_id", min_value=1, help_text="A team whose reports the caller reads.")
    period = serializers.ChoiceField(choices=["week", "month", "quarter", "year"])
    format = serializers.ChoiceField(choices=["json", "xlsx", "pdf"])
    created_at = serializers.DateTimeField(read_only=True)
    deliveries = serializers.SerializerMethodField(help_text="The latest reports made (at most 12), newest first.")

    def get_deliveries(self, obj) -> list[dict]:
        rows = list(obj.deliveries.only("id", "period_start", "period_end", "created_at", "subscription_id")[:12])
        return ReportDeliverySerializer(rows, many=True).data

    get_deliveries = extend_schema_field(ReportDeliverySerializer(many=True))(get_deliveries)
