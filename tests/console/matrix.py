"""The console's permission matrix: every URL of console/urls.py, in one table.

`MATRIX[url name] = Page(kind, {method: {role: expected status}}, bodies)`: what each role
gets for a request with a valid body on an object inside the home subtree (commune c1 >
village v1a of the shared `world`, the work of tests/console/conftest.py). A kind also
names the same sort of object in the sibling subtree (commune c2), which is the 404 page
for everyone but the superuser and the district above. test_matrix.py fails when
console/urls.py has a URL this table lacks.

The API's matrix (tests/security/matrix.py) walks /api/v1/ only; this one is separate.

Roles (people of the `world` fixture), as in the API's matrix:
    anonymous    no session: every page sends to the login page (302)
    outsider     a person with no membership
    member       member_v1a (village v1a)
    observer     observer_district (reads the district's subtree)
    coordinator  coord_c1 (coordinates commune c1 and everything below it)
    superuser
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from api.images import clean_evidence_image
from tasks import services
from tasks.models import Assignment
from tests.factories import PASSWORD

from .conftest import jpeg_with_gps

ROLES = ("anonymous", "outsider", "member", "observer", "coordinator", "superuser")
CALLERS = {"anonymous": None, "outsider": "outsider", "member": "member_v1a", "observer": "observer_district",
           "coordinator": "coord_c1", "superuser": "superuser"}


def codes(anonymous, outsider, member, observer, coordinator, superuser) -> dict[str, int]:
    return dict(zip(ROLES, (anonymous, outsider, member, observer, coordinator, superuser)))


EVERYONE = codes(302, 200, 200, 200, 200, 200)
READERS = codes(302, 403, 403, 200, 200, 200)  # coordinators and observers
REVIEWERS_PAGE = codes(302, 403, 403, 403, 200, 200)
REVIEWERS_STEP = codes(302, 403, 403, 403, 302, 302)  # done, back to where they were
MANAGERS_PAGE = codes(302, 403, 403, 403, 200, 200)
MANAGERS_STEP = codes(302, 403, 403, 403, 302, 302)
ASSIGNEE_STEP = codes(302, 404, 302, 403, 403, 403)
SEEN_BY_ASSIGNEE_AND_ABOVE = codes(302, 404, 200, 200, 200, 200)
REDIRECTS = codes(302, 302, 302, 302, 302, 302)


@dataclass(frozen=True)
class Page:
    kind: str | None  # the object the URL names (see KINDS); None: no id in the URL
    methods: dict[str, dict[str, int]]
    bodies: dict[str, object] = field(default_factory=dict)  # method -> body or callable(world, objects)
    kwargs: dict[str, object] = field(default_factory=dict)  # other URL arguments


# kind -> (home object, sibling object), each a callable(world, work) -> pk
def _assigned(world, work, person="member_v1a", team="v1a", coordinator="coord_c1", commune="c1"):
    task = services.task_create(actor=getattr(world, coordinator), title="Một việc mới", kind="post",
                                platform="zalo", team=getattr(world, commune),
                                due_at=timezone.now() + timedelta(days=1))
    services.task_assign(task=task, actor=getattr(world, coordinator), teams=[getattr(world, team)])
    return Assignment.objects.get(task=task, assignee=getattr(world, person)).pk


def _completed_with_photo(world, work, **where):
    assignment = Assignment.objects.get(pk=_assigned(world, work, **where))
    photo = clean_evidence_image(SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg"))
    services.assignment_complete(assignment=assignment, actor=assignment.assignee, evidence_image=photo)
    return assignment.pk


SIBLING = dict(person="member_v2a", team="v2a", coordinator="coord_c2", commune="c2")


def _campaign(world, coordinator, team):
    return services.campaign_create(actor=getattr(world, coordinator), name="Chiến dịch", team=getattr(world, team)).pk


def _inactive(team):
    from tests.factories import MemberFactory, MembershipFactory

    member = MemberFactory(is_active=False)
    MembershipFactory(member=member, team=team)
    return member.pk


SURVEY_QUESTIONS = [{"kind": "single", "text": "Bạn có dùng Zalo không?", "options": ["Có", "Không"]},
                    {"kind": "text", "text": "Góp ý", "required": False}]


def _survey(world, coordinator, team):
    from surveys import services as survey_services

    actor, team = getattr(world, coordinator), getattr(world, team)
    survey = survey_services.survey_create(actor=actor, team=team, title="Khảo sát", questions=SURVEY_QUESTIONS)
    return survey_services.survey_open(survey=survey, actor=actor).pk


def survey_answer_body(world, objects):
    from surveys.models import Question

    question = Question.objects.filter(survey_id=objects.get("survey"), kind="single").first()
    return {f"q{question.pk}": "Có"} if question else {}


def _offline(world, work, team="v1a", coordinator="coord_c1", commune="c1", person="member_v1a"):
    task = services.task_create(actor=getattr(world, coordinator), title="Phát tờ rơi", kind="offline",
                                platform="other", unit="tờ rơi", team=getattr(world, commune),
                                due_at=timezone.now() + timedelta(days=1))
    services.task_assign(task=task, actor=getattr(world, coordinator), teams=[getattr(world, team)])
    return Assignment.objects.get(task=task, assignee=getattr(world, person)).pk


def _channel(world, coordinator="coord_c1", team="c1"):
    import uuid

    from publishing import services as publishing_services

    return publishing_services.channel_create(
        actor=getattr(world, coordinator), team=getattr(world, team), platform="facebook", kind="page",
        name="Trang thanh niên", url=f"https://facebook.com/thanh-nien-{uuid.uuid4().hex[:8]}").pk


def _content(world, coordinator="coord_c1", team="c1", to="approved"):
    """A library item of `team` written by its coordinator, taken to `to` (the district's coordinator approves)."""
    from publishing import services as publishing_services

    author = getattr(world, coordinator)
    item = publishing_services.content_create(actor=author, team=getattr(world, team), title="Cảnh báo lừa đảo",
                                              body="Không chuyển tiền cho người lạ.", links=["https://example.org/a"])
    if to == "draft":
        return item.pk
    publishing_services.content_submit(item=item, actor=author)
    if to == "in_review":
        return item.pk
    return publishing_services.content_approve(item=item, actor=world.coord_district).pk


def fresh_url(world, objects):
    import uuid

    return f"https://zalo.me/g/{uuid.uuid4().hex[:10]}"


C2 = dict(coordinator="coord_c2", team="c2")
def _invite(world, coordinator, team):
    from teams import joining

    return joining.invite_create(team=getattr(world, team), actor=getattr(world, coordinator)).pk


def _join_request(world, coordinator, team):
    from teams import joining
    from teams.models import Invite

    invite = Invite.objects.get(pk=_invite(world, coordinator, team))
    global _joiners
    _joiners += 1
    return joining.join_register(code=invite.code, phone=f"+8490888{_joiners:04d}", full_name="Người Xin Vào",
                                 password="mat-khau-dai-2026").pk


_joiners = 0

KINDS = {
    "assigned": (_assigned, lambda w, k: _assigned(w, k, **SIBLING)),
    "completed": (_completed_with_photo, lambda w, k: _completed_with_photo(w, k, **SIBLING)),
    "team": (lambda w, k: w.v1a.pk, lambda w, k: w.v2a.pk),
    "offline": (_offline, lambda w, k: _offline(w, k, **SIBLING)),
    "task": (lambda w, k: k.task.pk, lambda w, k: k.sibling_task.pk),
    "campaign": (lambda w, k: _campaign(w, "coord_c1", "c1"), lambda w, k: _campaign(w, "coord_c2", "c2")),
    "member": (lambda w, k: w.member_v1a_2.pk, lambda w, k: w.member_v2a.pk),
    "inactive member": (lambda w, k: w.inactive_v1a.pk, lambda w, k: _inactive(w.v2a)),
    # open, asking commune c1's subtree (member_v1a and coord_c1 answer it) / commune c2's
    "survey": (lambda w, k: _survey(w, "coord_c1", "c1"), lambda w, k: _survey(w, "coord_c2", "c2")),
    # a page of commune c1 (member_v1a reads it: a team above their own) / of commune c2
    "channel": (lambda w, k: _channel(w), lambda w, k: _channel(w, **C2)),
    # library items of c1 written by coord_c1 / of c2 by coord_c2: approved, a draft, in review
    "content": (lambda w, k: _content(w), lambda w, k: _content(w, **C2)),
    "draft": (lambda w, k: _content(w, to="draft"), lambda w, k: _content(w, to="draft", **C2)),
    "in review": (lambda w, k: _content(w, to="in_review"), lambda w, k: _content(w, to="in_review", **C2)),
    # an invite to village v1a and a newcomer's pending request with it / the same in village v2a
    "invite": (lambda w, k: _invite(w, "coord_c1", "v1a"), lambda w, k: _invite(w, "coord_c2", "v2a")),
    "join request": (lambda w, k: _join_request(w, "coord_c1", "v1a"),
                     lambda w, k: _join_request(w, "coord_c2", "v2a")),
}
# Four eyes: coord_c1 wrote the item in review, so only someone else above approves it.
REVIEWED_BY_ANOTHER = codes(302, 403, 403, 403, 403, 302)
PUBLISHERS_STEP = codes(302, 404, 403, 403, 302, 302)  # the channel's managers and coordinators above
CHANNEL_BODY = {"name": "Nhóm Zalo thôn", "platform": "zalo", "kind": "group", "url": fresh_url,
                "posts_per_day_target": "2", "is_active": "on"}
AUDIENCE_STEP = codes(302, 404, 302, 403, 302, 403)  # observer_district and the superuser are not asked

TASK_BODY = {"title": "Việc mới", "team": lambda w, o: w.c1.pk, "kind": "post", "platform": "zalo",
             "priority": "normal"}

MATRIX: dict[str, Page] = {
    "home": Page(None, {"get": REDIRECTS}),
    "login": Page(None, {"get": codes(200, 302, 302, 302, 302, 302), "post": REDIRECTS},
                  {"post": lambda w, o: {"phone": w.member_v1a.phone, "password": PASSWORD}}),
    "logout": Page(None, {"post": REDIRECTS}),
    "language": Page(None, {"post": REDIRECTS}, {"post": {"language": "en", "next": "/console/"}}),
    "my-tasks": Page(None, {"get": EVERYONE}),
    "my-task": Page("assigned", {"get": SEEN_BY_ASSIGNEE_AND_ABOVE}),
    "my-task-complete": Page("assigned", {"post": ASSIGNEE_STEP}, {"post": {"evidence_url": "https://x.example/1"}}),
    "my-task-decline": Page("assigned", {"post": ASSIGNEE_STEP}, {"post": {"reason": "Bận"}}),
    "evidence": Page("completed", {"get": SEEN_BY_ASSIGNEE_AND_ABOVE}),
    "progress": Page(None, {"get": codes(302, 403, 403, 302, 302, 302)}),  # one subtree each: straight to it
    "team": Page("team", {"get": READERS}),
    "team-csv": Page("team", {"get": READERS}, kwargs={"report": "stats"}),
    "overdue": Page(None, {"get": READERS}),
    "review": Page(None, {"get": REVIEWERS_PAGE}),
    "review-bulk-verify": Page(None, {"post": REVIEWERS_STEP}, {"post": lambda w, o: {"ids": [o["completed"]]}}),
    "review-verify": Page("completed", {"post": REVIEWERS_STEP}),
    "review-reject": Page("completed", {"post": REVIEWERS_STEP}, {"post": {"reason": "Thiếu"}}),
    "tasks": Page(None, {"get": EVERYONE}),
    "task-new": Page(None, {"get": MANAGERS_PAGE, "post": MANAGERS_STEP}, {"post": TASK_BODY}),
    "task": Page("task", {"get": codes(302, 404, 200, 200, 200, 200)}),
    "task-assign": Page("task", {"post": MANAGERS_STEP}, {"post": lambda w, o: {"teams": [w.v1b.pk]}}),
    "assignment-record": Page("offline", {"post": REVIEWERS_STEP}, {"post": {"quantity": "12"}}),
    "campaigns": Page(None, {"get": EVERYONE}),
    "campaign-new": Page(None, {"get": MANAGERS_PAGE, "post": MANAGERS_STEP},
                         {"post": lambda w, o: {"name": "Mới", "team": w.c1.pk}}),
    "campaign": Page("campaign", {"get": codes(302, 404, 200, 200, 200, 200)}),
    "campaign-csv": Page("campaign", {"get": READERS}),
    "members": Page(None, {"get": EVERYONE}),
    "member-new": Page(None, {"get": MANAGERS_PAGE, "post": MANAGERS_STEP},
                       {"post": lambda w, o: {"full_name": "Người Mới", "phone": "0988000111",
                                              "password": "mat-khau-dai-2026", "team": w.v1b.pk, "role": "member"}}),
    "member-deactivate": Page("member", {"post": MANAGERS_STEP}),
    "member-password": Page("member", {"get": MANAGERS_PAGE, "post": MANAGERS_STEP},
                            {"post": {"new_password": "mat-khau-moi-2026-dai", "again": "mat-khau-moi-2026-dai"}}),
    "member-unlock": Page("member", {"post": MANAGERS_STEP}),
    "my-password": Page(None, {"get": EVERYONE, "post": codes(302, 302, 302, 302, 302, 302)},
                        {"post": {"old_password": PASSWORD, "new_password": "mat-khau-moi-2026-dai",
                                  "again": "mat-khau-moi-2026-dai"}}),
    "member-activate": Page("inactive member", {"post": MANAGERS_STEP}),
    "surveys": Page(None, {"get": EVERYONE}),
    "survey": Page("survey", {"get": codes(302, 404, 200, 200, 200, 200)}),
    "survey-answer": Page("survey", {"post": AUDIENCE_STEP}, {"post": survey_answer_body}),
    "survey-results": Page("survey", {"get": READERS}),
    "survey-results-file": Page("survey", {"get": READERS}, kwargs={"fmt": "csv"}),
    "channels": Page(None, {"get": EVERYONE}),
    "channel-new": Page(None, {"get": MANAGERS_PAGE, "post": MANAGERS_STEP},
                        {"post": {**CHANNEL_BODY, "team": lambda w, o: w.c1.pk}}),
    "channel": Page("channel", {"get": codes(302, 404, 200, 200, 200, 200)}),
    "channel-edit": Page("channel", {"get": MANAGERS_PAGE, "post": MANAGERS_STEP}, {"post": CHANNEL_BODY}),
    "channel-post-new": Page("channel", {"post": PUBLISHERS_STEP}, {"post": {"url": "https://zalo.me/p/1"}}),
    "content-list": Page(None, {"get": EVERYONE}),
    "content-new": Page(None, {"get": MANAGERS_PAGE, "post": MANAGERS_STEP},
                        {"post": lambda w, o: {"team": w.c1.pk, "title": "Bài mới", "body": "Nội dung"}}),
    "content-item": Page("content", {"get": codes(302, 404, 200, 200, 200, 200)}),
    "content-edit": Page("draft", {"get": MANAGERS_PAGE, "post": MANAGERS_STEP}, {"post": {"title": "Sửa lại"}}),
    "content-submit": Page("draft", {"post": MANAGERS_STEP}),
    "content-approve": Page("in review", {"post": REVIEWED_BY_ANOTHER}),
    "content-reject": Page("in review", {"post": REVIEWED_BY_ANOTHER}, {"post": {"reason": "Thiếu nguồn"}}),
    "content-archive": Page("content", {"post": MANAGERS_STEP}),
    "reports": Page(None, {"get": codes(302, 403, 403, 302, 302, 302)}),  # one subtree each: straight to it
    "team-report": Page("team", {"get": READERS}),
    "invites": Page(None, {"get": MANAGERS_PAGE, "post": MANAGERS_STEP},
                    {"post": lambda w, o: {"team": w.v1a.pk, "max_uses": "20"}}),
    "invite-revoke": Page("invite", {"post": MANAGERS_STEP}),
    "join-requests": Page(None, {"get": MANAGERS_PAGE}),
    "join-request-approve": Page("join request", {"post": MANAGERS_STEP}, {"post": {"role": "member"}}),
    "join-request-decline": Page("join request", {"post": MANAGERS_STEP}, {"post": {"reason": "Không ở thôn này"}}),
    # anyone with an invite's link; a code that names no usable invite is the 404 page
    "join": Page(None, {"get": codes(404, 404, 404, 404, 404, 404), "post": codes(404, 404, 404, 404, 404, 404)},
                 {"post": {"full_name": "A", "phone": "0912000999", "password": "mat-khau-dai-2026"}},
                 kwargs={"code": "no-such-code"}),
    "not-found": Page(None, {"get": codes(404, 404, 404, 404, 404, 404)}, kwargs={"rest": "no-such-page/"}),
}


def body_for(page: Page, method: str, world, objects) -> dict:
    body = page.bodies.get(method, {})
    if callable(body):
        body = body(world, objects)
    return {key: (value(world, objects) if callable(value) else value) for key, value in body.items()}
