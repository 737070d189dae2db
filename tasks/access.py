"""How campaigns, tasks and assignments reach a team path (api.access registrations).

Scope (the contract's): a caller sees the tasks whose team, and the assignments
whose team, lies in a subtree where they coordinate or observe, plus their own
assignments and the tasks behind them. Campaigns are scoped like tasks, and a
caller also sees the campaigns of the teams above their own (so a village
coordinator can file a task under the commune's campaign). An assignment's own
steps are its assignee's (`ASSIGNEE`); its reviews a coordinator's of its team
or above, never the assignee's (`REVIEWER`), superusers included.

An assignee's view stops at publication (tasks/publication.py): a task with a
`publish_at` still ahead, and the assignments behind it, are not theirs to see
or act on until then; the subtree's coordinators and observers see it all along.
"""
from django.db.models import Q

from api.access import ASSIGNEE, READ, REVIEW, REVIEWER, Grant, Scope, register

from .models import Assignment, Campaign, Task, Topic
from .publication import is_published, published_q


def own_task_ids(user_id, at=None):
    """The published tasks behind the caller's own assignments (published at `at`; None: now)."""
    return Assignment.objects.filter(published_q(at, prefix="task__"), assignee_id=user_id).values("task_id")


def _own(scope: Scope) -> Q:
    return Q(assignee_id=scope.user_id) & published_q(scope.at, prefix="task__")


def _is_own(scope: Scope, assignment: Assignment) -> bool:
    return assignment.assignee_id == scope.user_id and is_published(assignment.task)


def _campaigns_near(scope: Scope) -> Q:
    # A task filed under no campaign gives a NULL, which `pk IN (...)` never matches.
    behind_own_work = Task.objects.filter(pk__in=own_task_ids(scope.user_id, scope.at))
    return Q(team_id__in=scope.ids_on_own_paths()) | Q(pk__in=behind_own_work.values("campaign_id"))


def _may_review(scope: Scope, assignment: Assignment) -> bool:
    return assignment.assignee_id != scope.user_id and scope.has_capability_at(REVIEW, assignment.team.path)


def own_tasks_q(scope: Scope) -> Q:
    """The published tasks behind one's own assignments."""
    return Q(pk__in=own_task_ids(scope.user_id, scope.at))


def own_assignment_seen_test(scope: Scope, assignment: Assignment) -> bool | None:
    return True if _is_own(scope, assignment) else None


def reviewable_q(scope: Scope) -> Q:
    """Where the caller reviews, never their own work."""
    return scope.q(REVIEW, "team__path") & ~Q(assignee_id=scope.user_id)


# Wiring, run once at start-up from AppConfig.ready(): mutmut forks its mutants after it,
# so it cannot see a mutant here; tests/api/test_access_rules.py checks what it registers.
def register_all() -> None:  # pragma: no mutate block
    # A topic is read by everyone inside its team's subtree (and by those who read that subtree).
    register(Topic, path="team__path", grants={
        READ: Grant(q=lambda s: Q(team_id__in=s.ids_on_own_paths()),
                    test=lambda s, t: True if t.team_id in s.ids_on_own_paths() else None),
    })
    register(Task, path="team__path", grants={READ: Grant(q=own_tasks_q)})
    register(Campaign, path="team__path", grants={READ: Grant(q=_campaigns_near)})
    register(Assignment, path="team__path", grants={
        READ: Grant(q=_own, test=own_assignment_seen_test),
        ASSIGNEE: Grant(q=_own, test=_is_own, with_path=False, strict=True),
        REVIEWER: Grant(q=reviewable_q, test=_may_review, with_path=False, strict=True),
    })
