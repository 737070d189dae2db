from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks and campaigns")

    def ready(self):
        from .access import register_all

        register_all()
