"""orjson behind DRF's renderer interface, for the hot lists (api/rows.py).

It writes what DRF's JSONRenderer writes (compact, UTF-8, the same key order)
several times faster. What orjson cannot encode itself (lazy translations,
Decimal, UUID, querysets...) goes through DRF's own encoder, so a body that
reaches this renderer renders as it would through JSONRenderer. The one byte
difference: JSONRenderer escapes U+2028/U+2029 for old JavaScript parsers,
orjson writes them as they are (both are valid JSON and decode alike).
"""
import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder().default
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback, option=_OPTIONS)
