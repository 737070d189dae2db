"""The shared world: province > district > two communes > villages, one person per role.

    province "Đắk Nông"
      district "Cư Jút"                    coord_district, observer_district
        commune "Tâm Thắng"  (c1)          coord_c1
          village "Thôn 1" (v1a)           coord_v1a, member_v1a, member_v1a_2, inactive_v1a
          village "Thôn 2" (v1b)           member_v1b
        commune "Nam Dong"   (c2)          coord_c2           <- the sibling subtree
          village "Thôn 4" (v2a)           member_v2a
      district "Krông Nô"                  coord_other_district
    superuser; outsider (no membership)
"""
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from teams.choices import Level, Role

from .factories import PASSWORD, MemberFactory, MembershipFactory, TeamFactory


@pytest.fixture
def world(db):
    t = SimpleNamespace()
    t.province = TeamFactory(name="Đắk Nông", level=Level.PROVINCE)
    t.district = TeamFactory(name="Cư Jút", level=Level.DISTRICT, parent=t.province)
    t.other_district = TeamFactory(name="Krông Nô", level=Level.DISTRICT, parent=t.province)
    t.c1 = TeamFactory(name="Tâm Thắng", level=Level.COMMUNE, parent=t.district)
    t.c2 = TeamFactory(name="Nam Dong", level=Level.COMMUNE, parent=t.district)
    t.v1a = TeamFactory(name="Thôn 1", level=Level.VILLAGE, parent=t.c1)
    t.v1b = TeamFactory(name="Thôn 2", level=Level.VILLAGE, parent=t.c1)
    t.v2a = TeamFactory(name="Thôn 4", level=Level.VILLAGE, parent=t.c2)

    def person(name, team=None, role=None, **kwargs):
        member = MemberFactory(full_name=name, **kwargs)
        if team is not None:
            MembershipFactory(member=member, team=team, role=role)
        return member

    t.superuser = MemberFactory(full_name="Quản trị", is_superuser=True, is_staff=True)
    t.coord_district = person("Trần Thị Huyện", t.district, Role.COORDINATOR)
    t.observer_district = person("Lê Quan Sát", t.district, Role.OBSERVER)
    t.coord_c1 = person("Phạm Văn Thắng", t.c1, Role.COORDINATOR)
    t.coord_c2 = person("Hoàng Thị Dong", t.c2, Role.COORDINATOR)
    t.coord_v1a = person("Võ Văn Thôn", t.v1a, Role.COORDINATOR)
    t.member_v1a = person("Đặng Thị Lan", t.v1a, Role.MEMBER)
    t.member_v1a_2 = person("Bùi Văn Minh", t.v1a, Role.MEMBER)
    t.inactive_v1a = person("Người Đã Nghỉ", t.v1a, Role.MEMBER, is_active=False)
    t.member_v1b = person("Đỗ Thị Hoa", t.v1b, Role.MEMBER)
    t.member_v2a = person("Dương Thị Mai", t.v2a, Role.MEMBER)
    t.coord_other_district = person("Krông Coordinator", t.other_district, Role.COORDINATOR)
    t.outsider = person("Người Ngoài")
    return t


@pytest.fixture
def api():
    """An API client; `api.as_user(member)` authenticates it like the mobile app would."""
    client = APIClient()

    def as_user(member):
        client.force_authenticate(user=member)
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def client_for(db):
    """A fresh API client authenticated as the given member (or anonymous for None)."""

    def make(member):
        client = APIClient()
        if member is not None:
            client.force_authenticate(user=member)
        return client

    return make


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (row locks and real concurrency); set DATABASE_URL")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


__all__ = ["PASSWORD"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The world hashes a dozen passwords per test; PBKDF2's real cost would make each
    test take seconds and proves nothing here (login logic is the same with any hasher)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counters and cached values start at zero in every test, whatever ran before."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_writers_reading(settings):
    """Every list reads PostgreSQL's open writers for its sync cursor, as the query budgets
    count; tests/mobile/test_sync.py shows the reading a process reuses for a second."""
    from api.sync import forget_writers_reading

    settings.SYNC_WRITERS_READING_SECONDS = 0
    forget_writers_reading()


@pytest.fixture(autouse=True)
def fresh_verified_tokens():
    """No test sees a token another test's request verified (api/authentication.py)."""
    from api.authentication import forget_verified_tokens

    forget_verified_tokens()
    yield
    forget_verified_tokens()


@pytest.fixture(autouse=True)
def no_quiet_hours(settings):
    """Pushes go out at once in tests whatever the wall clock says (QUIET_HOURS is 21:00-07:00
    local by default); the quiet-hours tests set their own window and travel in time."""
    settings.QUIET_HOURS = None


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language (Vietnamese): a request through the test
    client leaves the language it chose (say English by cookie) active on the thread, and a
    test calling a service directly after it would otherwise read English messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
