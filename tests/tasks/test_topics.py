"""Topics: named by a team's coordinators, read inside its subtree, taken by content, tasks,
campaigns, posts and surveys, and a `topic=` filter on every statistics endpoint."""
import pytest

from tasks import services
from tasks.models import Assignment, Task, Topic

from .conftest import make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def topics(world):
    return {
        "district": Topic.objects.create(team=world.district, name="Cảnh báo lừa đảo"),
        "c1": Topic.objects.create(team=world.c1, name="Người tốt việc tốt"),
        "c2": Topic.objects.create(team=world.c2, name="Văn hóa thể thao"),
        "v1a": Topic.objects.create(team=world.v1a, name="Thôn 1"),
    }


def _ids(client, url="/api/v1/topics/"):
    return {row["id"] for row in client.get(url, {"page_size": 200}).json()["results"]}


def test_a_coordinator_names_a_topic_once_per_team(world, client_for):
    client = client_for(world.coord_c1)
    assert client.post("/api/v1/topics/", {"team": world.c1.pk, "name": "Lễ, Tết"}, format="json").status_code == 201
    response = client.post("/api/v1/topics/", {"team": world.c1.pk, "name": "lễ, tết"}, format="json")
    assert response.status_code == 400 and "name" in response.json()["errors"]
    assert client.post("/api/v1/topics/", {"team": world.c2.pk, "name": "X"}, format="json").status_code == 400
    assert client_for(world.member_v1a).post("/api/v1/topics/", {}, format="json").status_code == 403
    assert client_for(world.observer_district).post("/api/v1/topics/", {}, format="json").status_code == 403


def test_topics_are_read_inside_their_teams_subtree_never_sideways(world, client_for, topics):
    t = {k: v.pk for k, v in topics.items()}
    expected = {
        "member_v1a": {t["district"], t["c1"], t["v1a"]},
        "member_v1b": {t["district"], t["c1"]},
        "member_v2a": {t["district"], t["c2"]},
        "coord_c1": {t["district"], t["c1"], t["v1a"]},
        "observer_district": set(t.values()),
        "coord_other_district": set(),
        "outsider": set(),
    }
    for name, ids in expected.items():
        assert _ids(client_for(getattr(world, name))) == ids, name


def test_a_retired_topic_or_one_off_the_teams_path_is_a_400(world, client_for, topics):
    client = client_for(world.coord_district)
    body = {"title": "Đăng bài", "kind": "post", "platform": "facebook", "team": world.c1.pk}
    assert client.post("/api/v1/tasks/", {**body, "topic": topics["district"].pk}, format="json").status_code == 201
    response = client.post("/api/v1/tasks/", {**body, "topic": topics["c2"].pk}, format="json")
    assert response.status_code == 400 and "topic" in response.json()["errors"]
    client.patch(f"/api/v1/topics/{topics['district'].pk}/", {"is_active": False}, format="json")
    response = client.post("/api/v1/tasks/", {**body, "topic": topics["district"].pk}, format="json")
    assert response.status_code == 400 and "topic" in response.json()["errors"]
    # out of the caller's reach: a 400 like an id that does not exist
    response = client_for(world.coord_c1).post("/api/v1/tasks/", {**body, "topic": topics["c2"].pk}, format="json")
    assert response.status_code == 400 and "topic" in response.json()["errors"]


def test_tasks_campaigns_surveys_and_posts_take_a_topic(world, client_for, topics):
    client = client_for(world.coord_c1)
    topic = topics["c1"].pk
    campaign = client.post("/api/v1/campaigns/", {"name": "Tháng tốt", "team": world.c1.pk, "topic": topic},
                           format="json").json()
    assert campaign["topic"] == topic
    task = client.post("/api/v1/tasks/", {"title": "Đăng", "kind": "post", "platform": "zalo", "team": world.c1.pk,
                                          "topic": topic, "campaign": campaign["id"]}, format="json").json()
    assert task["topic"] == topic
    assert _ids(client, f"/api/v1/tasks/?topic={topic}") == {task["id"]}
    assert _ids(client, f"/api/v1/campaigns/?topic={topic}") == {campaign["id"]}
    survey = client.post("/api/v1/surveys/", {"title": "Ý kiến", "team": world.c1.pk, "topic": topic,
                                              "questions": [{"kind": "text", "text": "Ý kiến"}]}, format="json")
    assert survey.status_code == 201 and survey.json()["topic"] == topic
    channel = client.post("/api/v1/channels/", {"team": world.c1.pk, "platform": "facebook", "kind": "page",
                                                "name": "Trang", "url": "https://facebook.com/tt"}, format="json").json()
    post = client.post(f"/api/v1/channels/{channel['id']}/posts/", {"url": "https://facebook.com/tt/1",
                                                                   "topic": topic}, format="json")
    assert post.status_code == 201 and post.json()["topic"] == topic
    services.task_update(task=Task.objects.get(pk=task["id"]),
                         actor=world.coord_c1, topic=None)
    assert client.get(f"/api/v1/tasks/{task['id']}/").json()["topic"] is None


@pytest.fixture
def topical_work(world, topics):
    """Two tasks fanned out to c1 (3 members each): one on the c1 topic, one on none;
    member_v1a completes both."""
    on = make_task(world.c1, world.coord_c1, title="Có chủ đề", topic=topics["c1"])
    off = make_task(world.c1, world.coord_c1, title="Không chủ đề")
    for task in (on, off):
        services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
        assignment = Assignment.objects.get(task=task, assignee=world.member_v1a)
        services.assignment_complete(assignment=assignment, actor=world.member_v1a,
                                     evidence_url="https://facebook.com/p/1")
    return on, off


STATS = ["stats/", "stats/children/", "stats/daily/", "stats/members/", "stats/channels/", "stats/teams/"]


@pytest.mark.parametrize("path", STATS)
def test_every_stats_endpoint_takes_topic_and_refuses_an_unknown_one(world, client_for, topics, topical_work, path):
    client = client_for(world.coord_c1)
    url = f"/api/v1/teams/{world.c1.pk}/{path}"
    assert client.get(url, {"topic": topics["c1"].pk}).status_code == 200
    assert client.get(url, {"topic": topics["c1"].pk, "format": "csv"}).status_code == 200
    for unknown in (topics["c2"].pk, 987654):
        response = client.get(url, {"topic": unknown})
        assert response.status_code == 400 and "topic" in response.json()["errors"], path


def test_participation_takes_topic_and_refuses_an_unknown_one(world, client_for, topics, topical_work):
    """JSON only (no CSV): the hand counts are in tests/reports/test_period_reports.py."""
    client = client_for(world.coord_c1)
    url = f"/api/v1/teams/{world.c1.pk}/stats/participation/"
    on = client.get(url, {"topic": topics["c1"].pk, "interval": "week"}).json()["results"]
    elsewhere = client.get(url, {"topic": topics["district"].pk, "interval": "week"}).json()["results"]
    assert on[-1]["active"] == 1 and elsewhere[-1]["active"] == 0
    for unknown in (topics["c2"].pk, 987654):
        response = client.get(url, {"topic": unknown})
        assert response.status_code == 400 and "topic" in response.json()["errors"]


def test_topic_counts_only_that_topics_work(world, client_for, topics, topical_work):
    client = client_for(world.coord_c1)
    url = f"/api/v1/teams/{world.c1.pk}/stats/"
    everything = client.get(url).json()["assignments"]
    only = client.get(url, {"topic": topics["c1"].pk}).json()["assignments"]
    assert everything["total"] == 6 and everything["completed"] == 2
    assert only["total"] == 3 and only["completed"] == 1
    children = client.get(f"/api/v1/teams/{world.c1.pk}/stats/children/", {"topic": topics["c1"].pk}).json()
    assert sum(row["assignments"]["total"] for row in children) == 3
    board = client.get(f"/api/v1/teams/{world.c1.pk}/stats/members/", {"topic": topics["c1"].pk}).json()
    assert sum(row["assignments"]["completed"] for row in board["results"]) == 1
    daily = client.get(f"/api/v1/teams/{world.c1.pk}/stats/daily/", {"topic": topics["c1"].pk}).json()
    assert sum(row["completed"] for row in daily) == 1
    campaign_less = client.get(f"/api/v1/teams/{world.c1.pk}/stats/", {"topic": topics["district"].pk}).json()
    assert campaign_less["assignments"]["total"] == 0
    csv = client.get(url, {"topic": topics["c1"].pk, "format": "csv"}).content.decode("utf-8-sig").splitlines()
    assert csv[1].split(",")[3] == "3"


def test_channel_stats_count_only_posts_on_the_topic(world, client_for, topics):
    from django.utils import timezone

    from publishing.models import Channel, ChannelPost

    channel = Channel.objects.create(team=world.c1, platform="facebook", kind="page", name="Trang",
                                     url="https://facebook.com/t", posts_per_day_target=1)
    now = timezone.now()
    ChannelPost.objects.create(channel=channel, url="https://facebook.com/t/1", published_at=now,
                               published_on=timezone.localdate(now), topic=topics["c1"])
    ChannelPost.objects.create(channel=channel, url="https://facebook.com/t/2", published_at=now,
                               published_on=timezone.localdate(now))
    client = client_for(world.coord_c1)
    url = f"/api/v1/teams/{world.c1.pk}/stats/channels/"
    assert client.get(url).json()["results"][0]["posts"] == 2
    assert client.get(url, {"topic": topics["c1"].pk}).json()["results"][0]["posts"] == 1
