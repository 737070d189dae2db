from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from tasks.serializers import TaskProgressSerializer

from . import selectors

# Query parameters -----------------------------------------------------------

# Days far enough from the ends of the calendar that a day's bounds in Asia/Ho_Chi_Minh
# (and the day after `until`) can be computed: 9999-12-31 would overflow to a 500.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


class StatsDateField(serializers.DateField):
    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not FIRST_DAY <= day <= LAST_DAY:
            raise serializers.ValidationError(_("Must be a day from %(first)s to %(last)s.")
                                              % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})
        return day



class StatsQuerySerializer(serializers.Serializer):
    """Filters of the statistics endpoints; days are calendar days in Asia/Ho_Chi_Minh."""

    task = serializers.IntegerField(required=False, min_value=1, help_text="Only this task's assignments.")
    campaign = serializers.IntegerField(
        required=False, min_value=1, help_text="Only assignments of this campaign's tasks."
    )
    since = StatsDateField(
        required=False, help_text="First day counted (on the assignment's creation), YYYY-MM-DD, included."
    )
    until = StatsDateField(
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

    since = StatsDateField(required=False, help_text="First day, YYYY-MM-DD (default: 29 days before until).")
    until = StatsDateField(required=False, help_text="Last day, YYYY-MM-DD (default: today).")

    def validate(self, attrs):
        until = attrs.get("until") or timezone.localdate()
        since = attrs.get("since") or until - timedelta(days=29)
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
    level = serializers.CharField()


class CountsFieldsMixin(serializers.Serializer):
    assignments = AssignmentCountsSerializer()
    completion_rate = serializers.FloatField(
        help_text="(completed + verified) / (total - cancelled); 0 when there is nothing to count."
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
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    changed_at = serializers.DateTimeField()
    changed_by = HistoryActorSerializer(allow_null=True)
    type = serializers.ChoiceField(
        choices=[("+", "created"), ("~", "changed"), ("-", "deleted")],
        help_text="+ created, ~ changed, - deleted.",
    )
    reason = serializers.CharField(allow_null=True)
    changes = HistoryChangeSerializer(many=True)
