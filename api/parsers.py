"""The JSON parser every endpoint uses: bounded nesting, text that can be stored.

DRF's parser hands whatever `json.loads` returns to the view. Two kinds of body
reach a 500 that way: nesting deep enough to exhaust the recursion limit (in the
decoder, or later in a serializer walking it), and strings PostgreSQL cannot
store: a lone surrogate (`"\\ud800"` is valid JSON, yet not encodable as UTF-8)
or a NUL character; and numbers too large for any field (`1e400` decodes to
infinity, which no integer conversion survives). All are a 400 here, before any view or throttle sees the
body, for every endpoint (login and refresh included).
"""

import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser


def check_text(value: str) -> str | None:
    """Why `value` cannot be stored (None when it can)."""
    if "\x00" in value:
        return _("Text may not contain the NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Text must be valid Unicode (no lone surrogates).")
    return None


def check_document(data, max_depth: int) -> str | None:
    """Walk a decoded JSON document without recursion; the first problem found, or None."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > max_depth:
                return _("The JSON body is nested more than %(max)d levels deep.") % {"max": max_depth}
            if isinstance(value, dict):
                for key, item in value.items():
                    problem = check_text(key)
                    if problem:
                        return problem
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            problem = check_text(value)
            if problem:
                return problem
        elif isinstance(value, float) and not math.isfinite(value):
            return _("Numbers must be finite (%(value)s does not fit).") % {"value": value}
    return None


class JSONParser(DRFJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply."))
        problem = check_document(data, settings.API_MAX_JSON_DEPTH)
        if problem:
            raise ParseError(problem)
        return data


__all__ = ["JSONParser", "check_document", "check_text"]
