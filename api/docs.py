"""The documentation pages, served with no outside assets."""
from drf_spectacular.views import SpectacularRedocView


class RedocView(SpectacularRedocView):
    """ReDoc whose page loads nothing from the internet (the stock template pulls web fonts)."""

    template_name = "api/redoc.html"
