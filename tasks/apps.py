from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks and campaigns")

    def ready(self):
        from api import hooks, jobs

        from . import personal_data
        from .access import register_all
        from .services import assign_late_joiner, tasks_block_archive, tasks_lock_for_merge, tasks_teams_merged
        from .services.assign import ASSIGN_JOB, task_assign_batch

        register_all()
        personal_data.declare()
        hooks.member_joined.connect(assign_late_joiner)
        hooks.teams_merging.connect(tasks_lock_for_merge)
        hooks.teams_merged.connect(tasks_teams_merged)
        hooks.team_archiving.connect(tasks_block_archive)
        jobs.register(ASSIGN_JOB, task_assign_batch)
