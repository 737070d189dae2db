"""Report reads go to the replica when one is configured; writes and other reads never do."""
import threading

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from api.db_routers import ReplicaReadMixin, reading_from_replica, replica_alias
from teams.models import Team
from tests.factories import MemberFactory, TeamFactory

# Mirrors commit-visible state only: rows must be committed for the replica connection to see them.
both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def with_replica(settings):
    settings.READ_REPLICA_ALIAS = "replica"


def _queries_on(alias, func):
    with CaptureQueriesContext(connections[alias]) as captured:
        result = func()
    return result, [q["sql"] for q in captured.captured_queries]


@both
def test_reads_inside_the_block_go_to_the_replica_and_see_committed_rows(with_replica):
    team = TeamFactory(name="Cư Jút")
    with reading_from_replica() as alias:
        assert alias == "replica"
        names, replica_sql = _queries_on("replica", lambda: list(Team.objects.values_list("name", flat=True)))
        assert Team.objects.all().db == "replica"
    assert names == ["Cư Jút"]
    assert len(replica_sql) == 1 and "teams_team" in replica_sql[0]
    # Outside the block the same read is the primary's again.
    _, default_sql = _queries_on("default", lambda: list(Team.objects.all()))
    assert len(default_sql) == 1
    assert Team.objects.get(pk=team.pk)._state.db == "default"


@both
def test_writes_go_to_the_primary_even_inside_the_block_and_for_objects_read_from_the_replica(with_replica):
    TeamFactory(name="Cư Jút")
    with reading_from_replica():
        team = Team.objects.get(name="Cư Jút")
        assert team._state.db == "replica"
        team.name = "Krông Nô"
        _, replica_sql = _queries_on("replica", lambda: team.save())
        assert replica_sql == []
        created = Team.objects.create(name="Đắk Mil", level="province")
    assert team._state.db == "default"
    assert created._state.db == "default"
    assert set(Team.objects.using("default").values_list("name", flat=True)) == {"Krông Nô", "Đắk Mil"}


@both
def test_a_view_with_the_mixin_reads_from_the_replica(with_replica):
    TeamFactory(name="Cư Jút")
    caller = MemberFactory()

    class TeamNames(ReplicaReadMixin, APIView):
        def get(self, request):
            return Response(sorted(Team.objects.values_list("name", flat=True)))

    request = APIRequestFactory().get("/names/")
    force_authenticate(request, user=caller)
    response, replica_sql = _queries_on("replica", lambda: TeamNames.as_view()(request))
    assert response.status_code == 200
    assert response.data == ["Cư Jút"]
    assert any("teams_team" in sql for sql in replica_sql)
    # The flag ends with the request.
    assert Team.objects.all().db == "default"


@both
def test_the_flag_belongs_to_one_thread(with_replica):
    seen = {}

    def other_thread():
        seen["db"] = Team.objects.all().db

    with reading_from_replica():
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert Team.objects.all().db == "replica"
    assert seen["db"] == "default"


@pytest.mark.django_db
def test_without_a_replica_everything_reads_the_primary(settings):
    settings.READ_REPLICA_ALIAS = None
    assert replica_alias() == "default"
    with reading_from_replica() as alias:
        assert alias == "default"
        assert Team.objects.all().db == "default"
        assert list(Team.objects.all()) == []


def test_the_replica_is_never_migrated(settings):
    from django.db import router

    settings.READ_REPLICA_ALIAS = "replica"
    assert router.allow_migrate("replica", "teams", model_name="team") is False
    assert router.allow_migrate("default", "teams", model_name="team") is True
