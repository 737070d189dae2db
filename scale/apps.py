from django.apps import AppConfig


class ScaleConfig(AppConfig):
    """Test data: the demo district (`seed_demo`, every app's demo in order) and national-size
    data (`seed_scale`); owns no tables. It sits on top of every other app."""

    name = "scale"
    verbose_name = "Scale"
