from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        from . import personal_data, schema  # noqa: F401  schema registers the JWT auth extension

        personal_data.declare()

        from django.db.backends.signals import connection_created

        from .pgtypes import use_c_timestamps

        connection_created.connect(use_c_timestamps, dispatch_uid="api.pgtypes.use_c_timestamps")

        from django.db.models import Q

        from .access import Grant, register
        from .models import Job

        # A job is its starter's alone (and superusers'): no team path reaches it.
        register(Job, grants={"read": Grant(q=lambda s: Q(started_by_id=s.user_id),
                                            test=lambda s, job: job.started_by_id == s.user_id,
                                            with_path=False)})
