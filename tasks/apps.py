from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks and campaigns")

    def ready(self):
        from api import hooks, jobs

        from . import personal_data
        from .access import register_all
        from .services.assign import ASSIGN_JOB, assign_late_joiner, task_assign_batch

        register_all()
        personal_data.declare()
        hooks.member_joined.connect(assign_late_joiner)
        jobs.register(ASSIGN_JOB, task_assign_batch)
