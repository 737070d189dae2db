"""Writes that carry a rule, one module per topic:

- `rules`: who coordinates a team, due dates, campaign windows, and the bulk SQL helpers;
- `campaigns`: campaign create and update;
- `planning`: task create, update and cancel;
- `assign`: the fan-out to teams and people, and late joiners;
- `transitions`: the assignment workflow (one table of allowed steps);
- `topics`: topic create and update, and the rule for an object's `topic`;
- `merge`: what tasks hang on a team when it is merged or archived (api.hooks handlers).

Every change of an assignment writes an AssignmentEvent in the same
transaction, the cancel included; making an assignment writes none (the row
stands for its "assigned" step, which the timeline shows as id 0). A fan-out
past ASSIGN_BACKGROUND_THRESHOLD people runs as a background job (api.jobs). Callers import from
`tasks.services`; the modules are where each rule lives.
"""
from .assign import AssignResult, assign_late_joiner, task_assign
from .campaigns import campaign_create, campaign_update
from .merge import tasks_block_archive, tasks_lock_for_merge, tasks_teams_merged
from .planning import task_cancel, task_create, task_publish_due, task_update
from .bulk import BATCH_SIZE
from .topics import check_topic, topic_create, topic_update
from .transitions import (
    ACTIONS, ASSIGNEE, REVIEWER, TRANSITIONS, Transition, assignment_check_actor, assignment_complete,
    assignment_decline, assignment_reject, assignment_start, assignment_verify,
)

__all__ = [
    "ACTIONS", "ASSIGNEE", "BATCH_SIZE", "REVIEWER", "TRANSITIONS", "AssignResult", "Transition",
    "assign_late_joiner", "assignment_check_actor", "assignment_complete", "assignment_decline",
    "assignment_reject", "assignment_start", "assignment_verify", "campaign_create", "campaign_update",
    "task_assign", "task_cancel", "task_create", "task_publish_due", "task_update", "check_topic", "topic_create",
    "topic_update", "tasks_block_archive", "tasks_lock_for_merge", "tasks_teams_merged",
]
