"""`channel` and `content` on tasks (api.hooks.task_relations), stored in TaskPublication.

tasks sits below publishing and never imports it: publishing fills the registry
in its AppConfig.ready(). A task's reads select_related the publication and its
content, so the task list and every assignment's inline task carry `channel`,
`content` and `material` ({id, title, body, links}) from the same query.
"""
from rest_framework import serializers

from api.fields import ScopedPrimaryKeyRelatedField
from api.hooks import TaskRelation, task_relations

from . import services
from .models import Channel, ContentItem
from .selectors import channels_visible_to, content_usable_by
from .serializers import TaskMaterialSerializer


def _channel_body():
    return ScopedPrimaryKeyRelatedField(
        channels_visible_to, Channel, required=False, allow_null=True,
        help_text="The team's own page or group to publish on (a channel of the task's team, above or below it).")


def _content_body():
    return ScopedPrimaryKeyRelatedField(
        content_usable_by, ContentItem, required=False, allow_null=True,
        help_text="An approved, unexpired library item of the task's team or a team above it; its title, "
                  "body and links are carried on the task and on every assignment.")


def _channel_read():
    return {"channel": serializers.IntegerField(
        source="publication.channel_id", read_only=True, allow_null=True,
        help_text="The channel to publish on; completing with an evidence URL logs the post there.")}


def _content_read():
    return {
        "content": serializers.IntegerField(source="publication.content_id", read_only=True, allow_null=True,
                                            help_text="The library item the task carries."),
        "material": TaskMaterialSerializer(source="publication.content", read_only=True, allow_null=True,
                                           help_text="The content's title, body and links; null without content."),
    }


def _channel_row(row, prefix):
    return {"channel": row[f"{prefix}publication__channel_id"]}


def _content_row(row, prefix):
    content_id = row[f"{prefix}publication__content__id"]
    material = None if content_id is None else {
        "id": content_id, "title": row[f"{prefix}publication__content__title"],
        "body": row[f"{prefix}publication__content__body"],
        "links": list(row[f"{prefix}publication__content__links"] or ()),
    }
    return {"content": row[f"{prefix}publication__content_id"], "material": material}


def register() -> None:
    task_relations.add(TaskRelation(
        name="channel", body_field=_channel_body, apply=services.task_channel_apply, read_fields=_channel_read,
        read_row=_channel_row, select_related=("publication",),
        columns=("publication__task_id", "publication__channel_id"),
    ))
    task_relations.add(TaskRelation(
        name="content", body_field=_content_body, apply=services.task_content_apply, read_fields=_content_read,
        read_row=_content_row, select_related=("publication", "publication__content"),
        columns=("publication__content_id", "publication__content__id", "publication__content__title",
                 "publication__content__body", "publication__content__links"),
    ))
