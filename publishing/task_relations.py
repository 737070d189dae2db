"""`channel` and `content` on tasks (api.hooks.task_relations), stored in TaskPublication.

tasks sits below publishing and never imports it: publishing fills the registry
in its AppConfig.ready(). A task's reads select_related the publication and its
content, so the task list and every assignment's inline task carry `channel`,
`content` and `material` ({id, title, body, links}) from the same query; the hot
lists (api/rows.py) read them as one JSON object from a correlated subquery
(`_publication_row`), which PostgreSQL plans apart from the page's joins.
"""
import json
from functools import cache

from django.db.models import OuterRef, Subquery
from django.db.models.functions import JSONObject
from rest_framework import serializers

from api.fields import ScopedPrimaryKeyRelatedField
from api.hooks import TaskRelation, task_relations

from . import services
from .models import Channel, ContentItem, TaskPublication
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


@cache  # read for every row of a page
def _alias(prefix: str) -> str:
    return f"{prefix.replace('__', '_')}publication_row"


@cache  # built once per prefix: every query resolves (copies) it, and lists ask per request
def _publication_row(prefix: str) -> dict:
    """{alias: the task's publication as one JSON object, or NULL}; `prefix` leads from the
    listed model to the task ("" on tasks, "task__" on assignments)."""
    row = JSONObject(channel="channel_id", content="content_id", title="content__title", body="content__body",
                     links="content__links")
    publication = TaskPublication.objects.filter(task_id=OuterRef(f"{prefix}id")).values(row=row)
    return {_alias(prefix): Subquery(publication)}


def _channel_row(row, prefix):
    publication = row[_alias(prefix)]
    return {"channel": publication["channel"] if publication else None}


def _content_row(row, prefix):
    publication = row[_alias(prefix)]
    if not publication or publication["content"] is None:
        return {"content": None, "material": None}
    links = publication["links"]
    if isinstance(links, str):  # SQLite's json_object() keeps a JSON column's text as a string
        links = json.loads(links)
    material = {"id": publication["content"], "title": publication["title"], "body": publication["body"],
                "links": list(links or ())}
    return {"content": publication["content"], "material": material}


def register() -> None:
    task_relations.add(TaskRelation(
        name="channel", body_field=_channel_body, apply=services.task_channel_apply, read_fields=_channel_read,
        read_row=_channel_row, row_annotations=_publication_row, select_related=("publication",),
    ))
    task_relations.add(TaskRelation(
        name="content", body_field=_content_body, apply=services.task_content_apply, read_fields=_content_read,
        read_row=_content_row, row_annotations=_publication_row,
        select_related=("publication", "publication__content"),
    ))
