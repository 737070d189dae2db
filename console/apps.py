from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The server-rendered web console at /console/ (the top of the house: it may use
    every app; no app uses it)."""

    name = "console"
    verbose_name = "Web console"

    def ready(self):
        from api import hooks

        from .too_large import console_too_large

        hooks.body_too_large.connect(console_too_large)
