from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from api.fields import EARLIEST, DateField, HistoryTypeField
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
    tasks = serializers.IntegerField(help_text="Tasks in the campaign.")
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
