import django_filters
from django.utils.translation import gettext_lazy as _

from api.filters import IdFilter
from tasks.filters import StrictBooleanFilter
from teams.filters import WithinFilter

from . import selectors
from .choices import SurveyStatus
from .models import Survey


class SurveyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices)
    team = IdFilter(field_name="team_id", label=_("Owning team id"))
    within = WithinFilter(path_field="team__path")
    mine = StrictBooleanFilter(method="filter_mine",
                               label=_("true: open surveys the caller is asked and has not answered yet"))

    class Meta:
        model = Survey
        fields = ["status", "team", "within", "mine", "anonymous"]

    def filter_mine(self, qs, name, value):
        if value is None:
            return qs
        to_answer = selectors.surveys_to_answer(self.request.user).values("pk")
        return qs.filter(pk__in=to_answer) if value else qs.exclude(pk__in=to_answer)
