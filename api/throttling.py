"""Request throttles. Counters live in Django's cache (Redis in production).

Scopes and their rates (settings.THROTTLE_RATES, from the environment):

    user           every authenticated request, counted per member
    anon           every unauthenticated request (token refresh, logout, schema),
                   counted per client address
    login_phone    POST /auth/token/, counted per phone number (in either spelling)
    login_address  POST /auth/token/, counted per client address

A throttled request is a 429 with `Retry-After` (seconds), in the usual error body.
The client address is REMOTE_ADDR unless NUM_PROXIES says how many trusted
proxies append to X-Forwarded-For, so a client cannot pick its own address.
"""
import hashlib
from collections.abc import Mapping

from rest_framework import throttling
from rest_framework.settings import api_settings

from .phones import try_normalize_phone


class _RateFromSettings:
    """Read the rate when the throttle is built, not when the class is imported.

    DRF copies DEFAULT_THROTTLE_RATES into a class attribute at import time, so
    settings changed later (tests, a reloaded configuration) would be ignored.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


def _digest(value: str) -> str:
    # Cache keys never hold a phone number or an address in clear text.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class MemberRateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Authenticated requests, per member."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousRateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Unauthenticated requests, per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": _digest(self.get_ident(request))}


class LoginAddressThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Login attempts from one client address, whatever phone they name."""

    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": _digest(self.get_ident(request))}


class LoginPhoneThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Login attempts naming one phone number, from wherever they come.

    `0912345678` and `+84912345678` are the same person, so they share a count.
    A body without a usable phone is left to the address throttle (and then to
    the serializer's 400).
    """

    scope = "login_phone"

    def get_cache_key(self, request, view):
        data = request.data
        phone = data.get("phone") if isinstance(data, Mapping) else None
        if not isinstance(phone, str) or not phone.strip() or len(phone) > 64:
            return None
        return self.cache_format % {"scope": self.scope, "ident": _digest(try_normalize_phone(phone))}
