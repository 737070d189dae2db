from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from api import hooks
        from api.access import READ, Grant, register

        from . import personal_data
        from .models import Survey
        from .report_sections import surveys_section
        from .selectors import audience_q
        from .services import surveys_teams_merged

        # Read in the subtree of its team (coordinators, observers), managed where the caller
        # coordinates; its audience also reads it once it is open (judged when they ask).
        register(Survey, path="team__path", grants={READ: Grant(q=audience_q)})
        personal_data.declare()
        hooks.teams_merged.connect(surveys_teams_merged)
        hooks.report_sections.connect(surveys_section)
