"""Writes that carry a rule, one module per topic:

- `channels`: channels, their post log, the post a completed task logs, what a task
  publishes (`channel`, `content` through api.hooks.task_relations), merges;
- `content`: the content library's review workflow (one table of allowed steps);
- `schedules`: recurring work, and the beat's step that makes each occurrence's task once.
"""
from .channels import (
    channel_create, channel_post_create, local_day, channel_post_from_completion, channel_update, publishing_teams_merged,
    task_channel_apply, task_content_apply,
)
from .schedules import (
    schedule_create, schedule_pause, schedule_resume, schedule_run_one, schedule_update, schedules_run_due,
)
from .content import (
    CONTENT_ACTIONS, STEPS, content_approve, content_archive, content_check_actor, content_create,
    content_reject, content_submit, content_update, may_author_somewhere,
)

__all__ = [
    "CONTENT_ACTIONS", "STEPS", "channel_create", "channel_post_create", "channel_post_from_completion",
    "channel_update", "local_day", "content_approve", "content_archive", "content_check_actor", "content_create",
    "content_reject", "content_submit", "content_update", "may_author_somewhere", "publishing_teams_merged",
    "task_channel_apply", "task_content_apply", "schedule_create", "schedule_pause", "schedule_resume",
    "schedule_run_one", "schedule_update", "schedules_run_due",
]
