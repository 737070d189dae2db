from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "publishing"
    verbose_name = _("Publishing")

    def ready(self):
        from api import hooks

        from . import personal_data, task_relations
        from .access import register_all
        from .services import channel_post_from_completion, publishing_teams_merged

        register_all()
        personal_data.declare()
        task_relations.register()
        hooks.assignment_completed.connect(channel_post_from_completion)
        hooks.teams_merged.connect(publishing_teams_merged)
