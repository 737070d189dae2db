"""Publishing on top of the shared world (tests/conftest.py).

    page_c1        the commune Tâm Thắng's Facebook page, managed by member_v1b
    page_district  the district Cư Jút's page
    page_c2        the sibling commune Nam Dong's Zalo page
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from publishing import services
from tasks import services as task_services


@pytest.fixture
def page_c1(world):
    return services.channel_create(actor=world.coord_c1, team=world.c1, platform="facebook", kind="page",
                                   name="Tâm Thắng hôm nay", url="https://facebook.com/tamthang.today",
                                   posts_per_day_target=2, managers=[world.member_v1b])


@pytest.fixture
def page_district(world):
    return services.channel_create(actor=world.coord_district, team=world.district, platform="facebook",
                                   kind="page", name="Cư Jút", url="https://facebook.com/cujut")


@pytest.fixture
def page_c2(world):
    return services.channel_create(actor=world.coord_c2, team=world.c2, platform="zalo", kind="page",
                                   name="Nam Dong", url="https://zalo.me/namdong")


def make_task(team, actor, **fields):
    fields.setdefault("title", "Đăng bài cảnh báo lừa đảo")
    fields.setdefault("kind", "post")
    fields.setdefault("platform", "facebook")
    fields.setdefault("due_at", timezone.now() + timedelta(days=3))
    return task_services.task_create(actor=actor, team=team, **fields)
