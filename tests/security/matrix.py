"""The permission matrix of every /api/v1/ endpoint, in one table (OWASP API1 and API5).

`MATRIX[url name] = Endpoint(object kind, {method: {role: expected status}})`: the status
each role gets for a request with a valid body on an object inside the home subtree
(commune c1 > village v1a of the shared `world`). test_object_authorization.py fails
when the URLconf has an endpoint, or an endpoint a method, that this table lacks, so
every endpoint added later must be placed here before the suite passes again.

Roles (people of the `world` fixture):
    anonymous    no token
    outsider     a person with no membership
    member       member_v1a (village v1a; the home assignment and notification are theirs)
    observer     observer_district (reads the district's subtree, c1 included)
    coordinator  coord_c1 (coordinates commune c1 and everything below it)
    superuser
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import time as datetime_time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from PIL import Image

from notifications.models import Device, Notification
from tasks.models import Assignment
from teams.choices import Role
from tests.factories import (
    AssignmentFactory,
    CampaignFactory,
    MemberFactory,
    MembershipFactory,
    TaskFactory,
)

ROLES = ("anonymous", "outsider", "member", "observer", "coordinator", "superuser")
CALLERS = {
    "anonymous": None,
    "outsider": "outsider",
    "member": "member_v1a",
    "observer": "observer_district",
    "coordinator": "coord_c1",
    "superuser": "superuser",
}
METHODS = ("get", "post", "put", "patch", "delete")
MISSING_PK = 987654321


def codes(anonymous, outsider, member, observer, coordinator, superuser) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, outsider, member, observer, coordinator, superuser)))


EVERYONE = codes(401, 200, 200, 200, 200, 200)
COORDINATORS = codes(401, 403, 403, 403, 200, 200)
CREATORS = codes(401, 403, 403, 403, 201, 201)
READERS = codes(401, 403, 403, 200, 200, 200)  # reports: coordinators and observers
ASSIGNEE = codes(401, 404, 200, 403, 403, 403)  # the assignee's own steps
REVIEWERS = codes(401, 403, 403, 403, 200, 200)
OWNER = codes(401, 404, 200, 404, 404, 404)  # a person's own notifications and devices
NO_TOKEN_NEEDED = codes(200, 200, 200, 200, 200, 200)


@dataclass(frozen=True)
class Endpoint:
    kind: str | None  # the object a detail URL names (see `build`); None: no id in the URL
    methods: dict[str, dict[str, int]]
    bodies: dict[str, object] = field(default_factory=dict)  # method -> body, or a callable(world)


MATRIX: dict[str, Endpoint] = {
    # Login and the caller's own profile --------------------------------------------------
    "token-obtain": Endpoint(None, {"post": NO_TOKEN_NEEDED},
                             {"post": lambda w: {"phone": w.member_v1a.phone, "password": _password()}}),
    "token-refresh": Endpoint(None, {"post": NO_TOKEN_NEEDED}, {"post": lambda w: {"refresh": _refresh(w)}}),
    "logout": Endpoint(None, {"post": codes(204, 204, 204, 204, 204, 204)},
                       {"post": lambda w: {"refresh": _refresh(w)}}),
    "me": Endpoint(None, {"get": EVERYONE, "patch": EVERYONE}, {"patch": {"full_name": "Tên Mới"}}),
    "me-export": Endpoint(None, {"get": EVERYONE}),
    # Joining: anyone registers with a code; invites and join requests are the coordinators' ---------
    "register": Endpoint(None, {"post": codes(201, 201, 201, 201, 201, 201)}, {"post": lambda w: {
        "code": _invite(w.v1a, w).code, "phone": _new_phone(), "full_name": "Người Đăng Ký",
        "password": "river-lantern-42-moss"}}),
    # v1a is the member's own team: visible to them (403), not to the outsider (404).
    "team-invites": Endpoint("team", {"get": codes(401, 404, 403, 403, 200, 200),
                                      "post": codes(401, 404, 403, 403, 201, 201)}, {"post": {"max_uses": 5}}),
    "invite-revoke": Endpoint("invite", {"post": COORDINATORS}),
    "join-request-list": Endpoint(None, {"get": COORDINATORS}),
    "join-request-detail": Endpoint("join_request", {"get": COORDINATORS}),
    "join-request-approve": Endpoint("join_request", {"post": COORDINATORS}, {"post": {"role": Role.MEMBER}}),
    "join-request-decline": Endpoint("join_request", {"post": COORDINATORS}, {"post": {"reason": "Chưa đủ tuổi"}}),
    "me-password": Endpoint(None, {"post": codes(401, 204, 204, 204, 204, 204)}, {
        "post": lambda w: {"old_password": _password(), "new_password": "a-new-river-lantern-77"}}),
    # The hierarchy and the people -----------------------------------------------------
    "team-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS},
                          {"post": lambda w: {"name": "Thôn 3", "level": "village", "parent": w.c1.pk}}),
    "team-detail": Endpoint("team", {
        # v1a is the member's own team; deleting it is a 409: it still has members.
        "get": codes(401, 404, 200, 200, 200, 200),
        "patch": COORDINATORS,
        "delete": codes(401, 403, 403, 403, 409, 409),
    }, {"patch": {"name": "Thôn Một"}}),
    # Village v1a into its sibling v1b: coord_c1 coordinates the commune above both.
    "team-merge": Endpoint("team", {"post": COORDINATORS}, {"post": lambda w: {"into": w.v1b.pk}}),
    "member-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS}, {"post": lambda w: {
        "phone": "0912000333", "full_name": "Người Mới", "password": "river-lantern-42-moss",
        "team": w.v1a.pk, "role": Role.MEMBER}}),
    # A teammate: members see the people of their own teams, by name (phone null).
    "member-detail": Endpoint("member", {
        "get": codes(401, 404, 200, 200, 200, 200),
        "patch": COORDINATORS,
    }, {"patch": {"full_name": "Tên Khác"}}),
    # Only superusers anonymise; a coordinator who reaches the member gets 403 from the service.
    "member-anonymise": Endpoint("member", {"post": codes(401, 403, 403, 403, 403, 200)}),
    # A reset: coordinators whose scope holds every team of the person (coord_c1 holds v1a).
    "member-set-password": Endpoint("member", {"post": codes(401, 403, 403, 403, 204, 204)},
                                    {"post": {"new_password": "a-new-river-lantern-77"}}),
    "member-unlock": Endpoint("member", {"post": codes(401, 403, 403, 403, 204, 204)}),
    "membership-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS}, {
        "post": lambda w: {"member": w.member_v1b.pk, "team": w.v1a.pk, "role": Role.OBSERVER}}),
    # A teammate's only membership: removing it is a 409 (people leave by deactivation).
    "membership-detail": Endpoint("membership", {
        "get": codes(401, 404, 200, 200, 200, 200),
        "patch": COORDINATORS,
        "delete": codes(401, 403, 403, 403, 409, 409),
    }, {"patch": {"role": Role.OBSERVER}}),
    # Topics: the commune c1's (read by everyone in its subtree, managed by its coordinators) ---------
    "topic-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS},
                           {"post": lambda w: {"name": "Cảnh báo lừa đảo", "team": w.c1.pk}}),
    "topic-detail": Endpoint("topic", {"get": codes(401, 404, 200, 200, 200, 200), "patch": COORDINATORS},
                             {"patch": {"name": "Người tốt việc tốt"}}),
    # Campaigns and tasks -----------------------------------------------------------
    "campaign-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS},
                              {"post": lambda w: {"name": "Chiến dịch mới", "team": w.c1.pk}}),
    # The commune's campaign: members see the campaigns of the teams above their own.
    "campaign-detail": Endpoint("campaign", {"get": codes(401, 404, 200, 200, 200, 200), "patch": COORDINATORS},
                                {"patch": {"name": "Chiến dịch đổi tên"}}),
    "task-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS}, {"post": lambda w: {
        "title": "Bình luận", "kind": "comment", "platform": "zalo", "team": w.c1.pk}}),
    # The commune's task, assigned to the member.
    "task-detail": Endpoint("task", {"get": codes(401, 404, 200, 200, 200, 200), "patch": COORDINATORS},
                            {"patch": {"title": "Tiêu đề mới"}}),
    "task-assign": Endpoint("task", {"post": COORDINATORS}, {"post": lambda w: {"teams": [w.v1b.pk]}}),
    # A background job: its starter's (here the coordinator's) and superusers' alone.
    "job-detail": Endpoint("job", {"get": codes(401, 404, 404, 404, 200, 200)}),
    "task-cancel": Endpoint("task", {"post": COORDINATORS}),
    # Assignments: the member's own, in village v1a ------------------------------------
    "assignment-list": Endpoint(None, {"get": EVERYONE}),
    "assignment-detail": Endpoint("assignment", {"get": codes(401, 404, 200, 200, 200, 200)}),
    "assignment-events": Endpoint("assignment", {"get": codes(401, 404, 200, 200, 200, 200)}),
    "assignment-evidence-image": Endpoint("assignment_with_image", {"get": codes(401, 404, 200, 200, 200, 200)}),
    "assignment-start": Endpoint("assignment", {"post": ASSIGNEE}),
    "assignment-complete": Endpoint("assignment", {"post": ASSIGNEE},
                                    {"post": {"evidence_url": "https://facebook.com/p/1", "note": "Xong"}}),
    "assignment-decline": Endpoint("assignment", {"post": ASSIGNEE}, {"post": {"reason": "Bận"}}),
    "assignment-verify": Endpoint("completed_assignment", {"post": REVIEWERS}, {"post": {"note": "Tốt"}}),
    "assignment-reject": Endpoint("completed_assignment", {"post": REVIEWERS}, {"post": {"reason": "Sai link"}}),
    # The caller's own feed and push tokens ------------------------------------------
    "notification-list": Endpoint(None, {"get": EVERYONE}),
    "notification-read-all": Endpoint(None, {"post": EVERYONE}),
    "notification-unread-count": Endpoint(None, {"get": EVERYONE}),
    "notification-detail": Endpoint("notification", {"get": OWNER}),
    "notification-read": Endpoint("notification", {"post": OWNER}),
    "device-list": Endpoint(None, {"post": codes(401, 201, 201, 201, 201, 201)},
                            {"post": {"token": "push-token-0123456789", "platform": "android"}}),
    "device-detail": Endpoint("device", {"delete": codes(401, 404, 204, 404, 404, 404)}),
    # Channels: the commune c1's page (managed by someone else; members read the channels above them) ----
    "channel-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS}, {"post": lambda w: {
        "team": w.c1.pk, "platform": "facebook", "name": "Trang xã Tâm Thắng", "kind": "page",
        "url": "https://facebook.com/xa-tam-thang-moi", "managers": [w.member_v1a.pk]}}),
    "channel-detail": Endpoint("channel", {"get": codes(401, 404, 200, 200, 200, 200), "patch": COORDINATORS},
                               {"patch": {"name": "Trang xã (đổi tên)"}}),
    # Its managers and the coordinators above add to the log; other readers get 403.
    "channel-posts": Endpoint("channel", {"get": codes(401, 404, 200, 200, 200, 200),
                                          "post": codes(401, 404, 403, 403, 201, 201)},
                              {"post": {"url": "https://facebook.com/xa-tam-thang/posts/1"}}),
    # Content: the commune c1's items, written by one of its people. Members read approved ones only;
    # an approved item is no longer edited (409 for those who may edit, before: 403 for the others).
    "content-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS},
                             {"post": lambda w: {"team": w.c1.pk, "title": "Cảnh báo lừa đảo",
                                                 "links": ["https://congan.vn/1"]}}),
    "content-detail": Endpoint("content", {"get": codes(401, 404, 200, 200, 200, 200),
                                           "patch": codes(401, 403, 403, 403, 409, 409)},
                               {"patch": {"title": "Tiêu đề khác"}}),
    # Only coordinators and channel managers write and submit drafts; only coordinators review.
    "content-submit": Endpoint("draft_content", {"post": COORDINATORS}),
    "content-approve": Endpoint("content_in_review", {"post": COORDINATORS}, {"post": {"note": "Được"}}),
    "content-reject": Endpoint("content_in_review", {"post": COORDINATORS}, {"post": {"reason": "Thiếu nguồn"}}),
    "content-archive": Endpoint("content", {"post": COORDINATORS}),
    # Schedules: the commune c1's, targeting v1a. Coordinators and observers above read them; members see none.
    "schedule-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS}, {"post": lambda w: {
        "team": w.c1.pk, "title": "Chia sẻ bản tin sáng", "kind": "share", "platform": "facebook",
        "repeat": "daily", "time": "07:30", "targets": {"teams": [w.v1a.pk]}}}),
    "schedule-detail": Endpoint("schedule", {"get": codes(401, 404, 404, 200, 200, 200), "patch": COORDINATORS},
                                {"patch": {"title": "Bản tin chiều", "time": "17:00"}}),
    "schedule-pause": Endpoint("schedule", {"post": COORDINATORS}),
    "schedule-resume": Endpoint("paused_schedule", {"post": COORDINATORS}),
    # Reports: coordinators and observers, over a team or campaign in their subtree ---------
    "team-stats": Endpoint("team", {"get": READERS}),
    "team-stats-children": Endpoint("team", {"get": READERS}),
    "team-stats-daily": Endpoint("team", {"get": READERS}),
    "team-stats-members": Endpoint("team", {"get": READERS}),
    "team-stats-channels": Endpoint("team", {"get": READERS}),
    "team-stats-participation": Endpoint("team", {"get": READERS}),
    "team-stats-teams": Endpoint("team", {"get": READERS}),
    "team-report": Endpoint("team", {"get": READERS}),
    "report-subscription-list": Endpoint(None, {"get": READERS, "post": codes(401, 403, 403, 201, 201, 201)},
                                         {"post": lambda w: {"team": w.v1a.pk, "period": "month", "format": "xlsx"}}),
    # The observer's own subscription: nobody else sees it; members are refused by role first.
    "report-subscription-detail": Endpoint("report_subscription", {
        "get": codes(401, 403, 403, 200, 404, 404),
        "delete": codes(401, 403, 403, 204, 404, 404),
    }),
    # A report made for the observer: anyone who reads the team's reports downloads it.
    "report-delivery-download": Endpoint("report_delivery", {"get": READERS}),
    "campaign-stats": Endpoint("campaign", {"get": READERS}),
    "team-history": Endpoint("team", {"get": READERS}),
    "task-history": Endpoint("task", {"get": READERS}),
    # Surveys: the commune's, asked of c1's subtree (member_v1a and coord_c1 are in its audience) ------
    "survey-list": Endpoint(None, {"get": EVERYONE, "post": CREATORS}, {"post": lambda w: {
        "title": "Khảo sát mới", "team": w.c1.pk, "questions": [{"kind": "scale", "text": "Mức hài lòng"}]}}),
    # A draft: only coordinators and observers above see it; only coordinators change it.
    "survey-detail": Endpoint("draft_survey", {"get": codes(401, 404, 404, 200, 200, 200), "patch": COORDINATORS},
                              {"patch": {"title": "Khảo sát đổi tên"}}),
    "survey-open": Endpoint("draft_survey", {"post": COORDINATORS}),
    "survey-close": Endpoint("survey", {"post": COORDINATORS}),
    # The audience answers (coord_c1 is in it too); the observer and the superuser are not asked.
    "survey-responses": Endpoint("survey", {"post": codes(401, 404, 201, 403, 201, 403)},
                                 {"post": lambda w: {"answers": _survey_answers()}}),
    "survey-results": Endpoint("survey", {"get": READERS}),
}

# Where the out-of-scope objects sit, for each caller: (caller, {place: team attribute of world}).
# A sibling subtree, the team right above the caller's, and a village under the sibling commune.
OUT_OF_SCOPE = {
    "coord_c1": {"sibling": "c2", "parent": "district", "cousin": "v2a"},
    "observer_c1": {"sibling": "c2", "parent": "district", "cousin": "v2a"},
    "coord_v1a": {"sibling": "v1b", "parent": "c1", "cousin": "v2a"},
    "member_v1a": {"sibling": "v1b", "parent": "c1", "cousin": "v2a"},
}

# By design (the contract's scope): a caller also sees the campaigns of the teams above
# its own, so that a village can file its tasks under the commune's campaign. Those are
# readable, never writable (403: visible but not its to change), and nothing else is.
VISIBLE_ABOVE = {("campaign-detail", "parent"): {"get": 200, "head": 200, "patch": 403}}
# So are the channels of the teams above (the pages their material is published on): read, never changed.
VISIBLE_ABOVE.update({
    ("channel-detail", "parent"): {"get": 200, "head": 200, "patch": 403},
    ("topic-detail", "parent"): {"get": 200, "head": 200, "patch": 403},
    # approved material flows down: read, never changed
    ("content-detail", "parent"): {"get": 200, "head": 200, "patch": 403},
    ("content-archive", "parent"): {"post": 403},
    ("channel-posts", "parent"): {"get": 200, "head": 200, "post": 403},
})
# Likewise a survey of the team above that asks its whole subtree reaches the people below it:
# they answer it (201), and its results and its steps stay its own team's (403).
VISIBLE_ABOVE.update({
    ("survey-responses", "parent"): {"post": 201},
    ("survey-results", "parent"): {"get": 403, "head": 403},
    ("survey-close", "parent"): {"post": 403},
})


def _password():
    from tests.factories import PASSWORD

    return PASSWORD


def _survey_answers() -> list[dict]:
    """Answers that fit the newest open survey (the one `build` just made)."""
    from surveys.models import Survey

    survey = Survey.objects.filter(status="open").order_by("-id").first()
    return [{"question": q.pk, "value": 4} for q in survey.questions.all()] if survey else []


_phones = iter(range(1, 10**6))


def _new_phone() -> str:
    return f"+8490777{next(_phones):04d}"


def _invite(team, world):
    from teams.joining import invite_create

    return invite_create(team=team, actor=world.superuser)


def _join_request(team, world):
    from teams.joining import join_register

    return join_register(code=_invite(team, world).code, phone=_new_phone(), full_name="Người Đăng Ký",
                         password="river-lantern-42-moss")


def _refresh(world) -> str:
    from api.tokens import refresh_token_for

    return str(refresh_token_for(world.member_v1a))


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 20)).save(out, format="PNG")
    return out.getvalue()


def body_for(endpoint: Endpoint, method: str, world):
    body = endpoint.bodies.get(method)
    return body(world) if callable(body) else body


def person_in(team, role=Role.MEMBER):
    member = MemberFactory()
    MembershipFactory(member=member, team=team, role=role)
    return member


def build(kind: str, team, world, person=None):
    """An object of `kind` whose scope is `team`; `person` owns it where it has an owner
    (default: a new person holding the member role in `team`)."""
    if kind == "team":
        return team
    if kind == "invite":
        return _invite(team, world)
    if kind == "join_request":
        return _join_request(team, world)
    person = person or person_in(team)
    if kind == "member":
        return person
    if kind == "membership":
        return person.memberships.get(team=team)
    if kind == "campaign":
        return CampaignFactory(team=team, created_by=world.superuser)
    if kind == "task":
        task = TaskFactory(team=team, created_by=world.superuser, due_at=timezone.now() + timedelta(days=3))
        AssignmentFactory(task=task, assignee=person, team=team)
        return task
    if kind in ("assignment", "completed_assignment", "assignment_with_image"):
        task = TaskFactory(team=team, created_by=world.superuser, due_at=timezone.now() + timedelta(days=3))
        assignment = AssignmentFactory(task=task, assignee=person, team=team)
        if kind != "assignment":
            assignment.status = "completed"
            assignment.evidence_url = "https://facebook.com/p/9"
            assignment.completed_at = timezone.now()
            if kind == "assignment_with_image":
                assignment.evidence_image.save("shot.png", ContentFile(png_bytes()), save=False)
            assignment.save()
        return assignment
    if kind in ("content", "draft_content", "content_in_review"):
        from publishing.models import ContentItem

        status = {"content": "approved", "draft_content": "draft", "content_in_review": "in_review"}[kind]
        return ContentItem.objects.create(team=team, title=f"Tài liệu {team.name}", body="Nội dung",
                                          links=["https://congan.vn/1"], status=status, created_by=person,
                                          reviewed_by=world.superuser if status == "approved" else None)
    if kind == "topic":
        from tasks.models import Topic

        return Topic.objects.create(team=team, name=f"Chủ đề {team.name} {Topic.objects.count()}")
    if kind == "channel":
        from publishing.models import Channel

        channel = Channel.objects.create(team=team, platform="facebook", name=f"Trang {team.name}", kind="page",
                                         url=f"https://facebook.com/team-{team.pk}-{Channel.objects.count()}")
        channel.managers.set([person])
        return channel
    if kind in ("schedule", "paused_schedule"):
        from publishing.models import Schedule

        schedule = Schedule.objects.create(team=team, title=f"Lịch {team.name}", kind="share", platform="facebook",
                                           repeat="daily", time=datetime_time(7, 30), starts_on=timezone.localdate(),
                                           created_by=world.superuser, is_active=kind == "schedule",
                                           next_run_at=timezone.now() + timedelta(hours=1) if kind == "schedule"
                                           else None)
        schedule.target_teams.set([team])
        return schedule
    if kind == "notification":
        task = TaskFactory(team=team, created_by=world.superuser)
        return Notification.objects.create(recipient=person, kind="assigned", task=task,
                                           params={"task_title": task.title})
    if kind == "device":
        return Device.objects.create(member=person, token=f"token-{person.pk}-{team.pk}", platform="android")
    if kind in ("report_subscription", "report_delivery"):
        from reports.models import ReportDelivery, ReportSubscription

        subscription = ReportSubscription.objects.create(member=person, team=team, period="month",
                                                         format="json" if kind == "report_subscription" else "pdf")
        if kind == "report_subscription":
            return subscription
        return ReportDelivery.objects.create(subscription=subscription, period_start=timezone.localdate().replace(day=1),
                                             period_end=timezone.localdate(), content=b"{}",
                                             content_type="application/json", filename="report.json")
    if kind == "job":
        from api.models import Job

        return Job.objects.create(kind="tasks.assign", started_by=person, total=10)
    if kind in ("survey", "draft_survey"):
        from surveys import services as surveys

        survey = surveys.survey_create(actor=world.superuser, team=team, title=f"Khảo sát {team.name}",
                                       questions=[{"kind": "scale", "text": "Mức hài lòng"}])
        return surveys.survey_open(survey=survey, actor=world.superuser) if kind == "survey" else survey
    raise ValueError(kind)


def build_home(kind: str, world):
    """The object of the matrix: in the member's village v1a (the commune c1 owns tasks
    and campaigns), owned by member_v1a; for people, member_v1a's teammate."""
    if kind in ("team",):
        return world.v1a
    if kind in ("member", "membership"):
        return build(kind, world.v1a, world, person=world.member_v1a_2)
    if kind in ("campaign", "survey", "draft_survey", "channel", "topic", "content", "draft_content",
                "content_in_review", "schedule", "paused_schedule"):
        return build(kind, world.c1, world)
    if kind == "job":
        return build(kind, world.c1, world, person=world.coord_c1)
    if kind == "task":
        task = TaskFactory(team=world.c1, created_by=world.coord_c1, due_at=timezone.now() + timedelta(days=3))
        AssignmentFactory(task=task, assignee=world.member_v1a, team=world.v1a)
        return task
    if kind in ("report_subscription", "report_delivery"):
        return build(kind, world.v1a, world, person=world.observer_district)
    if kind in ("assignment", "completed_assignment", "assignment_with_image"):
        assignment = build(kind, world.c1, world, person=world.member_v1a)
        Assignment.objects.filter(pk=assignment.pk).update(team=world.v1a)
        assignment.refresh_from_db()
        return assignment
    return build(kind, world.v1a, world, person=world.member_v1a)


def model_counts() -> dict[str, int]:
    """Rows of every table of every installed model: what a test compares before and after."""
    from django.apps import apps

    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


# The URLconf walk -------------------------------------------------------------------

API_PREFIX = "api/v1/"


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _allowed_methods(callback) -> set[str]:
    actions = getattr(callback, "actions", None)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:  # a plain function view: its methods must be listed by hand
        return {"?"}
    allowed = set(view_class.http_method_names) - {"head", "options", "trace"}
    if actions is not None:  # a router route of a viewset
        return set(actions) & allowed
    return {m for m in allowed if hasattr(view_class, m)}


def api_endpoints() -> dict[str, tuple[str, set[str]]]:
    """url name -> (route, methods) for every pattern under /api/v1/ (format suffixes folded in)."""
    found: dict[str, tuple[str, set[str]]] = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX):
            continue
        assert pattern.name, f"{route} has no name: give it one and a row in tests/security/matrix.py"
        known_route, methods = found.get(pattern.name, (route, set()))
        found[pattern.name] = (known_route, methods | _allowed_methods(pattern.callback))
    return found
