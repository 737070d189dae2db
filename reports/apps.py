from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Statistics over a team's subtree and the change history of teams, roles, tasks and campaigns.

    The historical tables belong to this app (see models.py) so teams/ and tasks/
    keep their models free of history plumbing.
    """

    name = "reports"
    verbose_name = _("Reports and history")

    def ready(self):
        from api import hooks

        from . import personal_data
        from .access import register_all
        from .history import record_bulk_removal, record_bulk_rows, record_subtree_move

        from django.db.models.signals import post_migrate, pre_migrate

        from .rollups import sqlite_triggers_drop, sqlite_triggers_install
        from .subscriptions import reports_teams_merged

        pre_migrate.connect(sqlite_triggers_drop, sender=self, dispatch_uid="reports_rollups_pre_migrate")
        post_migrate.connect(sqlite_triggers_install, sender=self, dispatch_uid="reports_rollups_post_migrate")
        register_all()
        personal_data.declare()
        hooks.subtree_moved.connect(record_subtree_move)
        hooks.bulk_changed.connect(record_bulk_rows)
        hooks.bulk_deleting.connect(record_bulk_removal)
        hooks.teams_merged.connect(reports_teams_merged)
