from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams and members")

    def ready(self):
        from . import personal_data
        from .access import register_all

        register_all()
        personal_data.declare()
