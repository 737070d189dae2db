"""DRF's content negotiation, remembered per Accept header.

DRF parses the request's Accept header and matches it against each renderer on every
request: for a phone's poll, that was more Python than checking its delta. The answer
depends only on the header, the format asked for (`?format=`, a suffix) and the view's
renderer classes, so it is kept per process for the headers seen (a bounded number: a
client choosing a new header each time just gets DRF's own work every time). A refusal
(406, an unknown format's 404) is never kept: it is raised again as DRF raises it.
"""
from rest_framework.negotiation import DefaultContentNegotiation

KEPT = 512
_chosen: dict = {}


class RememberedContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        key = (request.META.get("HTTP_ACCEPT"), format_suffix,
               request.query_params.get(self.settings.URL_FORMAT_OVERRIDE),
               tuple(type(renderer) for renderer in renderers))
        found = _chosen.get(key)
        if found is not None:
            position, media_type = found
            return renderers[position], media_type
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if len(_chosen) < KEPT:
            _chosen[key] = (next(i for i, r in enumerate(renderers) if r is renderer), media_type)
        return renderer, media_type
