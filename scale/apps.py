from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """National-size test data (`seed_scale`); owns no tables."""

    name = "scale"
    verbose_name = "Scale"
