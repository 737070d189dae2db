"""Tasks on top of the shared world (tests/conftest.py).

    task_c1   owned by commune Tâm Thắng, fanned out to it:
              member_v1a, member_v1a_2 (Thôn 1), member_v1b (Thôn 2)
    task_c2   owned by the sibling commune Nam Dong, fanned out to it: member_v2a
    campaign_c1 / campaign_c2 one campaign per commune
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Assignment
from tests.factories import CampaignFactory


def make_task(team, actor, **fields):
    fields.setdefault("title", "Chia sẻ cảnh báo lừa đảo")
    fields.setdefault("kind", "share")
    fields.setdefault("platform", "facebook")
    fields.setdefault("reference_url", "https://example.org/posts/1")
    fields.setdefault("due_at", timezone.now() + timedelta(days=3))
    return services.task_create(actor=actor, team=team, **fields)


def assignment_of(task, member) -> Assignment:
    return Assignment.objects.get(task=task, assignee=member)


@pytest.fixture
def campaign_c1(world):
    return CampaignFactory(name="Chiến dịch Tâm Thắng", team=world.c1, created_by=world.coord_c1)


@pytest.fixture
def campaign_c2(world):
    return CampaignFactory(name="Chiến dịch Nam Dong", team=world.c2, created_by=world.coord_c2)


@pytest.fixture
def task_c1(world, campaign_c1):
    task = make_task(world.c1, world.coord_c1, campaign=campaign_c1)
    services.task_assign(task=task, actor=world.coord_c1, teams=[world.c1])
    return task


@pytest.fixture
def task_c2(world, campaign_c2):
    task = make_task(world.c2, world.coord_c2, title="Bình luận bài Nam Dong", campaign=campaign_c2)
    services.task_assign(task=task, actor=world.coord_c2, teams=[world.c2])
    return task
