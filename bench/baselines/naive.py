"""Baseline: the assignment list the way most DRF projects start.

A plain ModelViewSet, nested ModelSerializers, the scope as a simple filter,
and no select_related/prefetch_related: every row fetches its task, assignee,
team and reviewer one query at a time. Same rows and pagination as ours.
"""
from django.db.models import Q
from django.utils import timezone
from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from tasks.models import Assignment, Task
from teams.models import Member, Membership, Team


class NaiveTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "kind", "platform", "reference_url", "due_at", "status", "priority"]


class NaivePersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = ["id", "full_name", "phone"]


class NaiveTeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "level"]


class NaiveAssignmentSerializer(serializers.ModelSerializer):
    task = NaiveTaskSerializer()
    assignee = NaivePersonSerializer()
    team = NaiveTeamSerializer()
    reviewed_by = NaivePersonSerializer(allow_null=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "task", "assignee", "team", "status", "evidence_url", "evidence_image", "note",
                  "completed_at", "reviewed_by", "reviewed_at", "review_note", "is_overdue", "updated_at"]

    def get_is_overdue(self, obj) -> bool:
        return bool(obj.task.status == "open" and obj.task.due_at and obj.task.due_at < timezone.now()
                    and obj.status in ("assigned", "in_progress", "rejected"))


class NaiveAssignmentViewSet(viewsets.ModelViewSet):
    serializer_class = NaiveAssignmentSerializer

    def get_queryset(self):
        user = self.request.user
        scope = Q(assignee=user)
        for membership in Membership.objects.filter(member=user, role__in=["coordinator", "observer"]):
            scope |= Q(team__path__startswith=membership.team.path)
        return Assignment.objects.filter(scope).order_by("-id")


router = SimpleRouter()
router.register("assignments", NaiveAssignmentViewSet, basename="naive-assignment")
