"""What publishing/ holds about a person (declared to api.hooks.personal_data)."""
from rest_framework import serializers

from api.hooks import ExportSection, personal_data

from .models import Channel, ChannelManager, ChannelPost, ContentItem, ScheduleMember


class PersonalDataChannelPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.IntegerField(source="channel_id")
    url = serializers.CharField()
    published_at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)


class PersonalDataContentItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    team = serializers.IntegerField(source="team_id")
    title = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class PersonalDataManagedChannelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()


def _scrub(member, old_phone, old_name):
    # Managing a page is a role, not a record of the work: an anonymised person manages nothing.
    ChannelManager.objects.filter(member=member).delete()
    # Nor is anyone given more work by name: they leave every schedule's targets.
    ScheduleMember.objects.filter(member=member).delete()


def declare() -> None:
    personal_data.declare(
        "publishing",
        references={
            ("publishing.Channel", "created_by"): "kept: who registered the team's page",
            ("publishing.ChannelManager", "member"): "exported (channels_managed); removed on anonymisation",
            ("publishing.ChannelPost", "created_by"): "exported (channel_posts); kept: the post log counts it",
            ("publishing.ContentItem", "created_by"): "exported (content_items); kept: four eyes needs the author",
            ("publishing.ContentItem", "reviewed_by"): "kept: who approved or rejected is the record",
            ("publishing.Schedule", "created_by"): "kept: the author in whose name each occurrence's task is made",
            ("publishing.ScheduleMember", "member"): "removed on anonymisation: nobody gives them work by name",
        },
        sections=(
            ExportSection("channel_posts", 110, lambda m: ChannelPost.objects.filter(created_by_id=m.pk)
                          .order_by("id").values("id", "channel_id", "url", "published_at", "note"),
                          PersonalDataChannelPostSerializer, "Posts the person logged or published through a task."),
            ExportSection("content_items", 111, lambda m: ContentItem.objects.filter(created_by_id=m.pk)
                          .order_by("id").values("id", "team_id", "title", "status", "created_at"),
                          PersonalDataContentItemSerializer, "Library items the person wrote."),
            ExportSection("channels_managed", 112, lambda m: Channel.objects.filter(managers=m)
                          .order_by("id").values("id", "name", "url"),
                          PersonalDataManagedChannelSerializer, "The team pages the person posts on."),
        ),
        scrub=_scrub,
    )
