"""Query budgets of the publishing and report pages, as tests/console/test_queries.py: each page
costs at most 3 queries more than the API request(s) showing the same data, exactly its budget,
and no more with more rows."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from publishing import services as publishing_services
from publishing.models import Channel
from tasks import services as task_services
from tasks.models import Topic

from .test_queries import count

pytestmark = pytest.mark.django_db

# page -> (caller, console URL, API URLs for the same data, console's exact budget)
PAGES = {
    "content library": ("coord_c1", "/console/content/", ["/api/v1/content/"], 4),
    "content library (member)": ("member_v1a", "/console/content/", ["/api/v1/content/"], 5),  # +1: whether they manage a channel (may write drafts)
    "content item": ("coord_district", "/console/content/{item}/", ["/api/v1/content/{item}/"], 4),
    "channels": ("member_v1a", "/console/channels/", ["/api/v1/channels/"], 5),
    "channel": ("coord_c1", "/console/channels/{channel}/",
                ["/api/v1/channels/{channel}/", "/api/v1/channels/{channel}/posts/", "/api/v1/topics/?is_active=true"],
                7),  # +1 (6 before): the topics the post form offers
    "new task": ("coord_c1", "/console/tasks/new/?content={approved}",
                 ["/api/v1/content/?status=approved", "/api/v1/channels/?is_active=true", "/api/v1/topics/?is_active=true"],
                 9),  # +1 (8 before): the topics the form offers
    "report (xlsx)": ("coord_c1", "/console/teams/{c1}/report/?period=month&format=xlsx",
                      ["/api/v1/teams/{c1}/report/?period=month&format=xlsx"], 18),  # the report sums its summary and per-child rows in one pass; +2 for its channels section (the subtree's channels, their posts summed in one query)
}


def library(world, n):
    """n more items in every status, n more channels with n posts each, n more topics (the posts on
    them), in commune c1."""
    for i in range(n):
        topic = task_services.topic_create(actor=world.coord_c1, team=world.c1, name=f"Chủ đề {Topic.objects.count()}")
        item = publishing_services.content_create(actor=world.coord_c1, team=world.c1, title=f"Bài {i}",
                                                  links=["https://example.org/x"])
        publishing_services.content_submit(item=item, actor=world.coord_c1)
        if i % 2:
            publishing_services.content_approve(item=item, actor=world.coord_district)
        channel = publishing_services.channel_create(
            actor=world.coord_c1, team=world.c1 if i % 2 else world.v1a, platform="zalo", kind="group",
            name=f"Nhóm {i}", url=f"https://zalo.me/g/nhom-{Channel.objects.count()}", managers=[world.member_v1a])
        for j in range(n):
            publishing_services.channel_post_create(channel=channel, actor=world.coord_c1, url=f"https://x.example/{j}",
                                                    published_at=timezone.now() - timedelta(hours=j), topic=topic)


@pytest.fixture
def objects(world, work):
    library(world, 2)
    item = publishing_services.content_create(actor=world.coord_c1, team=world.c1, title="Đang chờ duyệt")
    item = publishing_services.content_submit(item=item, actor=world.coord_c1)
    approved = publishing_services.content_create(actor=world.coord_c1, team=world.c1, title="Đã duyệt")
    publishing_services.content_submit(item=approved, actor=world.coord_c1)
    publishing_services.content_approve(item=approved, actor=world.coord_district)
    return {"item": item.pk, "approved": approved.pk, "channel": Channel.objects.filter(team=world.c1).first().pk,
            "c1": world.c1.pk}


def measure(world, objects, name):
    caller, page, api_urls, _budget = PAGES[name]
    person = getattr(world, caller)
    client = Client()
    client.force_login(person)
    api = APIClient()
    api.force_authenticate(person)
    console = count(lambda: client.get(page.format(**objects)))
    # force_authenticate skips the token's user lookup, which a real request makes: +1 per request.
    api_total = sum(count(lambda url=url: api.get(url.format(**objects))) + 1 for url in api_urls)
    return console, api_total


@pytest.mark.parametrize("name", PAGES)
def test_a_publishing_page_costs_at_most_three_queries_more_than_the_api(world, objects, name):
    console, api_total = measure(world, objects, name)
    print(f"{name}: console {console}, API {api_total}")
    assert console <= api_total + 3, f"{name}: console {console} queries, API {api_total}"
    assert console == PAGES[name][3], f"{name}: {console} queries (budget {PAGES[name][3]}); explain a new one"


@pytest.mark.parametrize("name", PAGES)
def test_more_rows_cost_no_more_queries(world, objects, name):
    before, _ = measure(world, objects, name)
    library(world, 6)
    after, _ = measure(world, objects, name)
    assert after == before, f"{name}: {before} queries with few rows, {after} with more"
