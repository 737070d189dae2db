"""The exact number of SQL queries each API endpoint runs, in one table (as NetBox and Zulip do).

Every endpoint of the URLconf under /api/v1/ and each of its methods has at least one row
`Budget(method, path, role, queries)`. tests/test_query_budgets.py sends that request as
that role against one fixed fixture (`populate` below, on the shared `world`) and fails
when the count differs from the budget either way:

- more queries: a new query per request, or one per row (an N+1). Either remove it (fold it
  into the selector next to the scope filter, `select_related`/`prefetch_related`, one
  `in` query instead of a loop) or, if the endpoint really needs it, raise the budget and
  say why in the row's `why` (the commit says it too);
- fewer queries: good news, lower the budget so the gain is kept.

A budget is an int, or {"sqlite": n, "postgresql": m} where the backends differ on purpose
(e.g. the sync cursor's `pg_stat_activity` read, the report tally, the idempotency lock
timeout are PostgreSQL-only).

Adding an endpoint (the suite fails until you do, `test_every_endpoint_has_a_budget`):
1. give it its row in tests/security/matrix.py first (its body and object come from there);
2. add a row here per method: the path as `reverse()` gives it with `{pk}` for the id, the
   role from matrix.CALLERS that the endpoint serves with 2xx, and the count: run
   `make test PYTEST_ARGS="tests/test_query_budgets.py -k '<path>'"` with `queries=0`, read
   the count the failure prints, and check the listed queries are each needed;
3. a list endpoint gets a row for a coordinator and one for a member (their scopes differ).
The object a detail URL names is matrix.build_home(kind), made before counting (or the row's
`obj(world)` where the matrix's object is refused, e.g. a team that still has members); the
body is matrix.body_for(endpoint, method). The request must succeed (2xx): a budget counts
the work of the endpoint, not of a refusal.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Budget:
    method: str
    path: str
    role: str  # a key of tests.security.matrix.CALLERS
    queries: int | dict[str, int]
    why: str = ""  # what the count pays for, when it is not obvious
    obj: object = None  # callable(world) -> the object the URL names, when matrix.build_home's is refused

    def target(self, kind, world):
        from tests.security.matrix import build_home

        if self.obj is not None:
            return self.obj(world)
        return build_home(kind, world) if kind else None

    def for_vendor(self, vendor: str) -> int:
        return self.queries if isinstance(self.queries, int) else self.queries[vendor]


def B(method, path, role, queries, why="", obj=None):  # noqa: N802 - a table row reads better short
    return Budget(method.lower(), path, role, queries, why, obj)


def _draft_content(world):
    from tests.security.matrix import build

    return build("draft_content", world.c1, world)


def _empty_village(world):
    """A team that may be deleted (the matrix's v1a still has members: 409)."""
    from teams.choices import Level
    from tests.factories import TeamFactory

    return TeamFactory(name="Thôn trống", level=Level.VILLAGE, parent=world.c1)


def _second_membership(world):
    """A membership that may be removed (the matrix's is the person's only one: 409)."""
    from teams.choices import Role
    from tests.factories import MembershipFactory

    return MembershipFactory(member=world.member_v1a_2, team=world.v1b, role=Role.MEMBER)


# A workflow step answers with the list's row, read once after the step (tasks.views, _step):
# the step itself loads only the assignment, its task and team. The client here is
# force-authenticated with the whole person; a bearer token (every real client) makes the
# same count, since the event names its actor by id.
STEP_ROW = ("the answer read as the list's row after the step; the row is moved by one conditional UPDATE, "
            "locked and read again only when that matches nothing (tasks.services.transitions)")
REVIEW_STEP = ("the task's status read again after the review's UPDATE (a cancel that held the row meanwhile "
               "is seen: tasks.services.transitions._cancelled_meanwhile); " + STEP_ROW)

BUDGETS: list[Budget] = [
    B('POST', '/api/v1/auth/token/', 'coordinator', 3),
    B('POST', '/api/v1/auth/token/refresh/', 'coordinator', 15,
      "token versions (api/authstate.py) read the member's version and state; the blacklist is asked twice "
      "(queries 1 and 3) and the member read three times: room to save, left to token versions' owner"),
    B('POST', '/api/v1/auth/logout/', 'coordinator', 7),
    B('GET', '/api/v1/me/', 'coordinator', 3),
    B('PATCH', '/api/v1/me/', 'coordinator', 6),
    B('GET', '/api/v1/me/export/', 'coordinator', 19, "each app's personal-data handler (api.hooks) reads its own tables (publishing's and report subscriptions too)"),
    B('GET', '/api/v1/teams/{pk}/stats/', 'coordinator', {"sqlite": 5, "postgresql": 4}, 'the counts, and offline quantities summed live; PostgreSQL reads the tally in one'),
    B('GET', '/api/v1/teams/{pk}/stats/children/', 'coordinator', 6, 'the children, their counts from the rollups, and their offline quantities summed live'),
    B('GET', '/api/v1/teams/{pk}/stats/daily/', 'coordinator', 4, 'the team-day rollup in one query, and the offline quantities summed live'),
    B('GET', '/api/v1/teams/{pk}/stats/participation/', 'coordinator', 5),
    B('GET', '/api/v1/teams/{pk}/stats/teams/', 'coordinator', 6),
    B('GET', '/api/v1/teams/{pk}/report/', 'coordinator', 18, 'one query per section (counts, series, boards, participation, campaigns, surveys, quantities, channels: the subtree\'s list here, and their posts summed in one more query when it has any); the summary is summed from the children\'s pass over the tally'),
    B('GET', '/api/v1/report-subscriptions/', 'coordinator', 1, "one's own rows: no scope needed"),
    B('POST', '/api/v1/report-subscriptions/', 'coordinator', 7),
    B('GET', '/api/v1/report-subscriptions/{pk}/', 'observer', 3),
    B('DELETE', '/api/v1/report-subscriptions/{pk}/', 'observer', 8),
    B('GET', '/api/v1/report-deliveries/{pk}/download/', 'coordinator', 2),
    B('GET', '/api/v1/jobs/{pk}/', 'coordinator', 2, 'the job, and who started it'),
    B('GET', '/api/v1/teams/{pk}/stats/members/', 'coordinator', {"sqlite": 6, "postgresql": 5}, 'the median is one annotation on PostgreSQL, a second query on SQLite; offline quantities summed live'),
    B('GET', '/api/v1/campaigns/{pk}/stats/', 'coordinator', {"sqlite": 6, "postgresql": 5}, 'the counts, and offline quantities summed live; PostgreSQL reads the tally in one'),
    B('GET', '/api/v1/teams/{pk}/history/', 'coordinator', 5),
    B('GET', '/api/v1/tasks/{pk}/history/', 'coordinator', 5),
    B('GET', '/api/v1/teams/', 'coordinator', 4),
    B('GET', '/api/v1/teams/', 'member', 4),
    B('POST', '/api/v1/teams/', 'coordinator', 10),
    B('DELETE', '/api/v1/teams/{pk}/', 'coordinator', 47, "Django's delete collector visits every table that points at a team (merged_from, topics, channels, content, schedules and their targets, rollups, invites, join requests)", obj=_empty_village),
    B('GET', '/api/v1/teams/{pk}/', 'coordinator', 3),
    B('PATCH', '/api/v1/teams/{pk}/', 'coordinator', 10),
    B('POST', '/api/v1/teams/{pk}/merge/', 'coordinator', 62, "open invites revoked (1), invites and join requests move (2), each app's teams_merged handler moves its own rows (tasks with topics: a clashing name renamed (1) and the move (1); surveys; publishing with schedules and their targets; reports' subscriptions: ending those `into` already has (1) and the move (1)), then the leftover check"),
    B('GET', '/api/v1/members/', 'coordinator', 4),
    B('GET', '/api/v1/members/', 'member', 4),
    B('POST', '/api/v1/members/', 'coordinator', 15),
    B('GET', '/api/v1/members/{pk}/', 'coordinator', 3),
    B('PATCH', '/api/v1/members/{pk}/', 'coordinator', 10),
    B('POST', '/api/v1/me/password/', 'member', 5, "lock, check, save, blacklist the sessions"),
    B('POST', '/api/v1/members/{pk}/set-password/', 'coordinator', 10, "reach, lock, save, blacklist the sessions"),
    B('POST', '/api/v1/members/{pk}/unlock/', 'coordinator', 5, "the person and their teams; the lock is in the cache"),
    B('POST', '/api/v1/members/{pk}/anonymise/', 'superuser', 22, "each app's personal-data handler (api.hooks) scrubs its own tables (schedule targets too); join requests keep a copy of the phone and name"),
    # Joining (issue 10, point 3): invites, registration, join requests.
    B('POST', '/api/v1/auth/register/', 'anonymous', 6, 'the invite locked, the phone looked up (the answer is the same either way), the use counted, the request'),
    B('GET', '/api/v1/teams/{pk}/invites/', 'coordinator', 2),
    B('POST', '/api/v1/teams/{pk}/invites/', 'coordinator', 4),
    B('POST', '/api/v1/invites/{pk}/revoke/', 'coordinator', 5),
    B('GET', '/api/v1/join-requests/', 'coordinator', 2),
    B('GET', '/api/v1/join-requests/{pk}/', 'coordinator', 2),
    B('POST', '/api/v1/join-requests/{pk}/approve/', 'coordinator', 19, 'the request locked, the phone looked up, the member and membership with its history row, the open tasks above, the member re-read with memberships'),
    B('POST', '/api/v1/join-requests/{pk}/decline/', 'coordinator', 6, 'the request read, then locked'),
    B('GET', '/api/v1/memberships/', 'coordinator', 3),
    B('GET', '/api/v1/memberships/', 'member', 3),
    B('POST', '/api/v1/memberships/', 'coordinator', 11),
    B('DELETE', '/api/v1/memberships/{pk}/', 'coordinator', 8, "", obj=_second_membership),
    B('GET', '/api/v1/memberships/{pk}/', 'coordinator', 2),
    B('PATCH', '/api/v1/memberships/{pk}/', 'coordinator', 7),
    B('GET', '/api/v1/campaigns/', 'coordinator', {"sqlite": 3, "postgresql": 4}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/campaigns/', 'member', {"sqlite": 3, "postgresql": 4}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('POST', '/api/v1/campaigns/', 'coordinator', 7),
    B('GET', '/api/v1/campaigns/{pk}/', 'coordinator', 2),
    B('PATCH', '/api/v1/campaigns/{pk}/', 'coordinator', 7),
    B('GET', '/api/v1/tasks/', 'coordinator', {"sqlite": 3, "postgresql": 4}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/tasks/', 'member', {"sqlite": 3, "postgresql": 4}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('POST', '/api/v1/tasks/', 'coordinator', 19),
    B('GET', '/api/v1/tasks/{pk}/', 'coordinator', 2),
    B('PATCH', '/api/v1/tasks/{pk}/', 'coordinator', 8),
    B('POST', '/api/v1/tasks/{pk}/assign/', 'coordinator', 15, 'the target teams read again under the task lock (a merge takes the same lock)'),
    B('POST', '/api/v1/tasks/{pk}/cancel/', 'coordinator', 12),
    B('GET', '/api/v1/assignments/', 'coordinator', {"sqlite": 2, "postgresql": 3}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/assignments/', 'member', {"sqlite": 2, "postgresql": 3}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/assignments/{pk}/', 'coordinator', 2),
    B('POST', '/api/v1/assignments/{pk}/complete/', 'member', 9,
      'the coordinators above and their last notice of waiting work, and, since none was told within the '
      'hour here, the outbox row that tells them (notifications.services.review_waiting_owed; within the '
      'hour no row is written, test_review_and_quiet); ' + STEP_ROW),
    B('POST', '/api/v1/assignments/{pk}/decline/', 'member', 7, STEP_ROW),
    B('GET', '/api/v1/assignments/{pk}/events/', 'coordinator', 3),
    B('GET', '/api/v1/assignments/{pk}/evidence-image/', 'coordinator', 2),
    B('POST', '/api/v1/assignments/{pk}/reject/', 'coordinator', 9, REVIEW_STEP),
    B('POST', '/api/v1/assignments/{pk}/start/', 'member', 7, STEP_ROW),
    B('POST', '/api/v1/assignments/{pk}/verify/', 'coordinator', 9, 'the outbox row that tells the assignee; ' + REVIEW_STEP),
    B('GET', '/api/v1/notifications/', 'coordinator', {"sqlite": 1, "postgresql": 2}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/notifications/', 'member', {"sqlite": 1, "postgresql": 2}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('POST', '/api/v1/notifications/read-all/', 'coordinator', 1),
    B('GET', '/api/v1/notifications/unread-count/', 'coordinator', 1),
    B('GET', '/api/v1/notifications/{pk}/', 'member', 1),
    B('POST', '/api/v1/notifications/{pk}/read/', 'member', 2),
    B('POST', '/api/v1/devices/', 'coordinator', 8),
    B('DELETE', '/api/v1/devices/{pk}/', 'member', 3),
    B('GET', '/api/v1/surveys/', 'coordinator', 5),
    B('GET', '/api/v1/surveys/', 'member', 5),
    B('POST', '/api/v1/surveys/', 'coordinator', 10),
    B('GET', '/api/v1/surveys/{pk}/', 'coordinator', 4),
    B('PATCH', '/api/v1/surveys/{pk}/', 'coordinator', 11),
    B('POST', '/api/v1/surveys/{pk}/close/', 'coordinator', 11),
    B('POST', '/api/v1/surveys/{pk}/open/', 'coordinator', 20),
    B('POST', '/api/v1/surveys/{pk}/responses/', 'coordinator', 13),
    B('GET', '/api/v1/surveys/{pk}/results/', 'coordinator', 6),
    # Publishing (issue 11): channels, their post log, content, topics, channel stats.
    B('GET', '/api/v1/channels/', 'coordinator', {"sqlite": 2, "postgresql": 3}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/channels/', 'member', {"sqlite": 2, "postgresql": 3}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('POST', '/api/v1/channels/', 'coordinator', 13),
    B('GET', '/api/v1/channels/{pk}/', 'coordinator', 3),
    B('PATCH', '/api/v1/channels/{pk}/', 'coordinator', 8),
    B('GET', '/api/v1/channels/{pk}/posts/', 'coordinator', 4),
    B('POST', '/api/v1/channels/{pk}/posts/', 'coordinator', 6),
    B('GET', '/api/v1/content/', 'coordinator', {"sqlite": 2, "postgresql": 3}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/content/', 'member', {"sqlite": 2, "postgresql": 3}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('POST', '/api/v1/content/', 'coordinator', 6),
    B('GET', '/api/v1/content/{pk}/', 'coordinator', 2),
    B('PATCH', '/api/v1/content/{pk}/', 'coordinator', 8, obj=lambda w: _draft_content(w)),
    B('POST', '/api/v1/content/{pk}/submit/', 'coordinator', 7),
    B('POST', '/api/v1/content/{pk}/approve/', 'coordinator', 7),
    B('POST', '/api/v1/content/{pk}/reject/', 'coordinator', 7),
    B('POST', '/api/v1/content/{pk}/archive/', 'coordinator', 7),
    B('GET', '/api/v1/topics/', 'coordinator', {"sqlite": 2, "postgresql": 3}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/topics/', 'member', {"sqlite": 2, "postgresql": 3}, 'the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('POST', '/api/v1/topics/', 'coordinator', 7),
    B('GET', '/api/v1/topics/{pk}/', 'coordinator', 2),
    B('PATCH', '/api/v1/topics/{pk}/', 'coordinator', 7),
    B('GET', '/api/v1/teams/{pk}/stats/channels/', 'coordinator', 3),
    # Schedules (issue 11, point 4): the list prefetches both kinds of target (one query each).
    B('GET', '/api/v1/schedules/', 'coordinator', {"sqlite": 5, "postgresql": 6}, 'scope, count, rows, the two targets prefetched; the sync cursor reads pg_stat_activity on PostgreSQL'),
    B('GET', '/api/v1/schedules/', 'member', {"sqlite": 1, "postgresql": 2}, 'a member reads no schedule: the scope alone (no rows to count)'),
    B('POST', '/api/v1/schedules/', 'coordinator', 13, 'body ids resolved, the targets checked and stored, re-read'),
    B('GET', '/api/v1/schedules/{pk}/', 'coordinator', 4),
    B('PATCH', '/api/v1/schedules/{pk}/', 'coordinator', 11, 'looked up, locked, saved, re-read'),
    B('POST', '/api/v1/schedules/{pk}/pause/', 'coordinator', 11, 'looked up, locked, saved, re-read'),
    B('POST', '/api/v1/schedules/{pk}/resume/', 'coordinator', 11, 'looked up, locked, saved, re-read'),
]


def populate(world) -> None:
    """The fixed fixture: enough rows that every list has several (a query per row shows)."""
    from django.utils import timezone

    from notifications.models import Device, Notification
    from surveys import services as surveys
    from tests.factories import AssignmentFactory, CampaignFactory, TaskFactory

    now = timezone.now()
    campaigns = [CampaignFactory(team=world.c1, created_by=world.coord_c1, name=f"Chiến dịch {i}") for i in range(2)]
    people = (world.member_v1a, world.member_v1a_2, world.member_v1b)
    for i in range(3):
        task = TaskFactory(team=world.c1, created_by=world.coord_c1, campaign=campaigns[i % 2],
                           title=f"Việc {i}", due_at=now + timedelta(days=i + 1))
        for person in people:
            team = world.v1b if person is world.member_v1b else world.v1a
            AssignmentFactory(task=task, assignee=person, team=team)
        Notification.objects.create(recipient=world.member_v1a, kind="assigned", task=task,
                                    params={"task_title": task.title})
    Device.objects.create(member=world.member_v1a, token="push-token-fixed-0001", platform="android")
    survey = surveys.survey_create(actor=world.coord_c1, team=world.c1, title="Khảo sát cố định",
                                   questions=[{"kind": "scale", "text": "Mức hài lòng"}])
    surveys.survey_open(survey=survey, actor=world.coord_c1)
    from datetime import time

    from publishing import services as publishing

    for i in range(3):  # schedules with both kinds of target: a query per row would show
        publishing.schedule_create(actor=world.coord_c1, team=world.c1, title=f"Lịch {i}", kind="share",
                                   platform="facebook", repeat="daily", time=time(7 + i, 0),
                                   targets={"teams": [world.v1a, world.v1b], "members": [world.member_v1a]})
