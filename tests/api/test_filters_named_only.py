"""api.filters.NamedOnlyFilterSet: a list binds only the filters its query names.

That is the same answer as binding them all only when every filter of the set does
nothing when its parameter is absent; these tests fail when one that does (a default
such as teams' `active=true`) joins such a set, and show that a named filter still
filters and still answers a bad value with the 400 naming it.
"""
import django_filters
import pytest
from django.http import QueryDict

from api.filters import NamedOnlyFilterSet
from notifications.filters import NotificationFilter
from tasks.filters import AssignmentFilter, TaskFilter
from tasks.models import Assignment
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db

SETS = [AssignmentFilter, TaskFilter, NotificationFilter]


def _absent_filters_change_nothing(filterset_class, request) -> bool:
    """django-filter's own binding (every declared filter, none named) leaves the queryset as it was."""
    queryset = filterset_class._meta.model._default_manager.all()
    full = filterset_class.__new__(filterset_class)
    django_filters.FilterSet.__init__(full, QueryDict(""), queryset, request=request)
    assert set(full.filters) == set(filterset_class.base_filters) and full.is_valid()
    return str(full.qs.query) == str(queryset.query)


@pytest.mark.parametrize("filterset_class", SETS, ids=lambda c: c.__name__)
def test_every_filter_of_the_set_is_a_no_op_when_absent(filterset_class, rf, world):
    request = rf.get("/")
    request.user = world.coord_district
    assert _absent_filters_change_nothing(filterset_class, request)


def test_a_filter_with_a_default_effect_is_caught(rf, world):
    class OpenByDefault(django_filters.Filter):
        def filter(self, qs, value):
            return qs.filter(status=value or "assigned")

    class WithDefault(NamedOnlyFilterSet):
        status = OpenByDefault()

        class Meta:
            model = Assignment
            fields = ["status"]

    request = rf.get("/")
    request.user = world.coord_district
    assert not _absent_filters_change_nothing(WithDefault, request)


@pytest.mark.parametrize("filterset_class", SETS, ids=lambda c: c.__name__)
def test_a_page_with_no_filter_binds_none(filterset_class, rf):
    filterset = filterset_class(QueryDict("page_size=50&cursor=abc"), filterset_class._meta.model.objects.all(),
                                request=rf.get("/"))
    assert filterset.filters == {}
    assert filterset.is_valid()


def test_a_named_filter_filters_and_refuses_a_bad_value(rf, world):
    task = TaskFactory(team=world.district)
    request = rf.get("/")
    request.user = world.coord_district
    filterset = AssignmentFilter(QueryDict(f"task={task.pk}&page_size=10"), Assignment.objects.all(), request=request)
    assert set(filterset.filters) == {"task"}
    assert "task_id" in str(filterset.qs.query)
    bad = AssignmentFilter(QueryDict("status=nope&mine=maybe"), Assignment.objects.all(), request=request)
    assert not bad.is_valid()
    assert set(bad.errors) == {"status", "mine"}


def test_the_schema_still_lists_every_filter(api, world):
    schema = api.as_user(world.coord_district).get("/api/schema/", {"format": "json"}).json()
    names = {p["name"] for p in schema["paths"]["/api/v1/assignments/"]["get"]["parameters"]}
    assert set(AssignmentFilter.base_filters) <= names


def test_sub_field_names_count_as_named():
    class Ranged(NamedOnlyFilterSet):
        due = django_filters.IsoDateTimeFromToRangeFilter(field_name="task__due_at")

        class Meta:
            model = Assignment
            fields = ["due"]

    assert set(Ranged(QueryDict("due_after=2026-01-01T00:00:00Z"), Assignment.objects.all()).filters) == {"due"}
    assert Ranged(QueryDict("dueling=1"), Assignment.objects.all()).filters == {}
