"""The content library: the review workflow (four eyes, 409s), read rules down the tree,
and tasks that carry an approved item inline (no query per row)."""
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publishing import services
from publishing.models import ContentItem
from tasks import services as task_services
from tasks.models import Task

from tests.factories import MemberFactory, MembershipFactory

from .conftest import make_task

pytestmark = pytest.mark.django_db


def approved(team, author, approver, **fields):
    item = services.content_create(actor=author, team=team, title=fields.pop("title", f"Cảnh báo {team.name}"),
                                   body="Không chuyển tiền cho người lạ.", links=["https://congan.vn/canh-bao"],
                                   **fields)
    services.content_submit(item=item, actor=author)
    return services.content_approve(item=item, actor=approver)


def _post(client, url, body=None):
    return client.post(url, body or {}, format="json")


def test_the_review_workflow_through_the_api(world, client_for):
    author, reviewer = client_for(world.coord_c1), client_for(world.coord_district)
    item = _post(author, "/api/v1/content/", {"team": world.c1.pk, "title": "Người tốt việc tốt",
                                              "body": "Anh A trả lại ví.", "links": ["https://tamthang.vn/a"]})
    assert item.status_code == 201 and item.json()["status"] == "draft"
    pk = item.json()["id"]
    assert _post(author, f"/api/v1/content/{pk}/submit/").json()["status"] == "in_review"
    assert author.patch(f"/api/v1/content/{pk}/", {"title": "x"}, format="json").status_code == 409
    rejected = _post(reviewer, f"/api/v1/content/{pk}/reject/", {"reason": "Thiếu nguồn"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["review_note"] == "Thiếu nguồn"
    edited = author.patch(f"/api/v1/content/{pk}/", {"links": ["https://tamthang.vn/nguon"]}, format="json")
    assert edited.status_code == 200 and edited.json()["status"] == "draft"
    _post(author, f"/api/v1/content/{pk}/submit/")
    done = _post(reviewer, f"/api/v1/content/{pk}/approve/", {"note": "Tốt"})
    assert done.json()["status"] == "approved" and done.json()["reviewed_by"] == world.coord_district.pk
    assert _post(reviewer, f"/api/v1/content/{pk}/approve/").status_code == 409
    assert _post(author, f"/api/v1/content/{pk}/archive/").json()["status"] == "archived"


def test_never_approved_by_its_author_superusers_included(world, client_for):
    item = services.content_create(actor=world.superuser, team=world.c1, title="Tết")
    services.content_submit(item=item, actor=world.superuser)
    for action in ("approve", "reject"):
        response = _post(client_for(world.superuser), f"/api/v1/content/{item.pk}/{action}/", {"reason": "x"})
        assert response.status_code == 403, action
    item.refresh_from_db()
    assert item.status == "in_review"
    # and the database holds it too
    with pytest.raises(IntegrityError), transaction.atomic():
        ContentItem.objects.filter(pk=item.pk).update(status="approved", reviewed_by=world.superuser)


@pytest.mark.parametrize("action,status", [("submit", "approved"), ("approve", "draft"), ("reject", "approved"),
                                           ("archive", "in_review"), ("archive", "draft")])
def test_transitions_the_status_does_not_allow_are_409(world, client_for, action, status):
    item = services.content_create(actor=world.coord_c1, team=world.c1, title="Lễ hội")
    ContentItem.objects.filter(pk=item.pk).update(status=status)
    response = _post(client_for(world.coord_district), f"/api/v1/content/{item.pk}/{action}/", {"reason": "x"})
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_who_may_write_drafts_coordinators_and_channel_managers(world, client_for, page_c1):
    body = {"team": world.c1.pk, "title": "Tin"}
    assert _post(client_for(world.member_v1a), "/api/v1/content/", {"nonsense": 1}).status_code == 403
    assert _post(client_for(world.observer_district), "/api/v1/content/", body).status_code == 403
    # member_v1b manages the commune's page: drafts for the commune, not elsewhere
    manager = client_for(world.member_v1b)
    assert _post(manager, "/api/v1/content/", body).status_code == 201
    response = _post(manager, "/api/v1/content/", {**body, "team": world.v1b.pk})
    assert response.status_code == 400 and "team" in response.json()["errors"]
    # the manager submits their own draft but never approves
    item = ContentItem.objects.get(created_by=world.member_v1b)
    assert _post(manager, f"/api/v1/content/{item.pk}/submit/").status_code == 200
    assert _post(manager, f"/api/v1/content/{item.pk}/approve/").status_code == 403
    # a member who neither coordinates nor manages a channel: 403 whatever the item
    assert _post(client_for(world.member_v1a), f"/api/v1/content/{item.pk}/submit/").status_code == 403


def _ids(client):
    return {row["id"] for row in client.get("/api/v1/content/", {"page_size": 200}).json()["results"]}


def test_members_read_approved_unexpired_items_of_their_teams_and_above_never_sideways(world, client_for):
    reviewer = world.superuser
    coord_province = MemberFactory(full_name="Tỉnh")
    MembershipFactory(member=coord_province, team=world.province, role="coordinator")
    province = approved(world.province, coord_province, reviewer)
    district = approved(world.district, world.coord_district, reviewer)
    c1 = approved(world.c1, world.coord_c1, reviewer)
    c2 = approved(world.c2, world.coord_c2, reviewer)
    v1b = approved(world.v1b, world.coord_c1, reviewer)
    expired = approved(world.c1, world.coord_c1, reviewer, expires_at=timezone.now() + timedelta(hours=1))
    ContentItem.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    draft = services.content_create(actor=world.coord_c1, team=world.c1, title="Nháp")
    archived = approved(world.c1, world.coord_c1, reviewer)
    services.content_archive(item=archived, actor=world.coord_c1)
    everything = {i.pk for i in (province, district, c1, c2, v1b, expired, draft, archived)}
    expected = {
        "member_v1a": {province.pk, district.pk, c1.pk},
        "member_v1b": {province.pk, district.pk, c1.pk, v1b.pk},
        "member_v2a": {province.pk, district.pk, c2.pk},
        # coordinators: every item of their subtree, the approved ones above
        "coord_c1": {province.pk, district.pk, c1.pk, v1b.pk, expired.pk, draft.pk, archived.pk},
        "coord_c2": {province.pk, district.pk, c2.pk},
        "observer_district": everything - {province.pk} | {province.pk},
        "coord_other_district": {province.pk},
        "outsider": set(),
        "superuser": everything,
    }
    for name, ids in expected.items():
        assert _ids(client_for(getattr(world, name))) == ids, name
    assert client_for(world.member_v1a).get(f"/api/v1/content/{c2.pk}/").status_code == 404


def test_a_task_carries_the_approved_content_inline_on_every_assignment(world, client_for):
    item = approved(world.district, world.coord_district, world.superuser, title="Cảnh báo lừa đảo qua Zalo")
    response = _post(client_for(world.coord_c1), "/api/v1/tasks/", {
        "title": "Chia sẻ cảnh báo", "kind": "share", "platform": "zalo", "team": world.c1.pk, "content": item.pk})
    assert response.status_code == 201, response.json()
    task = response.json()
    assert task["content"] == item.pk
    assert task["material"] == {"id": item.pk, "title": item.title, "body": item.body, "links": item.links}
    task_services.task_assign(task=Task.objects.get(pk=task["id"]),
                              actor=world.coord_c1, teams=[world.c1])
    rows = client_for(world.member_v1a).get("/api/v1/assignments/", {"mine": "true"}).json()["results"]
    assert rows[0]["task"]["material"]["title"] == "Cảnh báo lừa đảo qua Zalo"
    assert rows[0]["task"]["material"]["links"] == ["https://congan.vn/canh-bao"]


@pytest.mark.parametrize("case", ["draft", "expired", "sideways", "below"])
def test_a_task_names_only_approved_unexpired_content_it_may_read_from_its_line(world, client_for, case):
    if case == "draft":
        item = services.content_create(actor=world.coord_c1, team=world.c1, title="Nháp")
    elif case == "expired":
        item = approved(world.c1, world.coord_c1, world.superuser, expires_at=timezone.now() + timedelta(hours=1))
        ContentItem.objects.filter(pk=item.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "sideways":
        item = approved(world.c2, world.coord_c2, world.superuser)
    else:  # content of a village given to the commune's task: material flows down, not up
        item = approved(world.v1a, world.coord_c1, world.superuser)
    response = _post(client_for(world.coord_c1), "/api/v1/tasks/", {
        "title": "Chia sẻ", "kind": "share", "platform": "zalo", "team": world.c1.pk, "content": item.pk})
    assert response.status_code == 400 and "content" in response.json()["errors"], case


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"page_size": 50}).status_code == 200
    return len(captured)


def test_assignment_and_task_lists_with_content_cost_exactly_the_queries_without(world, client_for, page_c1):
    plain = make_task(world.c1, world.coord_c1, title="Không tài liệu")
    task_services.task_assign(task=plain, actor=world.coord_c1, teams=[world.c1])
    member, coordinator = client_for(world.member_v1a), client_for(world.coord_c1)
    urls = [(member, "/api/v1/assignments/"), (coordinator, "/api/v1/assignments/"), (coordinator, "/api/v1/tasks/")]
    before = [_count(c, u) for c, u in urls]
    for n in range(8):
        item = approved(world.c1, world.coord_c1, world.coord_district, title=f"Tài liệu {n}")
        task = make_task(world.c1, world.coord_c1, title=f"Có tài liệu {n}", content=item, channel=page_c1)
        task_services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    rows = member.get("/api/v1/assignments/", {"page_size": 50}).json()["results"]
    assert sum(1 for r in rows if r["task"]["material"]) == 8
    assert [_count(c, u) for c, u in urls] == before
