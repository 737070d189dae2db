from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        from . import personal_data, schema  # noqa: F401  schema registers the JWT auth extension

        personal_data.declare()
