"""The OpenAPI document and its documentation pages, served with no outside assets."""
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView


class SchemaView(SpectacularAPIView):
    """The OpenAPI document: one English document whatever Accept-Language says.

    Field labels and help texts are translatable strings; built in the request's
    language, two developers would generate two different SDKs (Vietnamese
    titles become class names). Answers' messages still follow Accept-Language.
    """

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()  # lazy texts become English here, not in the request's language
        return response


class RedocView(SpectacularRedocView):
    """ReDoc whose page loads nothing from the internet (the stock template pulls web fonts)."""

    template_name = "api/redoc.html"
