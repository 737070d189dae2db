"""Request throttles. Counters live in Django's cache (Redis in production).

Scopes and their rates (settings.THROTTLE_RATES, from the environment):

    user           every authenticated request, counted per member
    anon           every unauthenticated request (token refresh, logout, schema),
                   counted per client address
    login_phone    failed logins (POST /auth/token/, the console's login, registrations)
                   naming one phone number (in either spelling), from every address
                   together; a device that logged in before is counted apart
    login_address  failed logins from one client address (successes never count)

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


class _CountingThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """A throttle that counts in the cache with atomic increments (the two kinds below)."""

    def _key_for(self, request, view) -> str | None:
        """The counter's key, or None when nothing is counted (no rate, or not this throttle's caller)."""
        return None if self.rate is None else self.get_cache_key(request, view)

    def _take(self, key: str, timeout) -> int:
        """Add one to `key`'s counter (created with `timeout` if missing) and return the count."""
        try:
            return self.cache.incr(key)
        except ValueError:  # the first (or its counter just expired)
            return 1 if self.cache.add(key, 1, timeout) else self.cache.incr(key)

    def _give_back(self, key: str) -> None:
        try:
            self.cache.decr(key)
        except ValueError:  # expired meanwhile: nothing left to give back
            pass


def _digest(value: str) -> str:
    # Cache keys never hold a phone number or an address in clear text.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class _SlidingWindowThrottle(_CountingThrottle):
    """At most `num_requests` per `duration`, counted in two fixed windows' counters.

    DRF's SimpleRateThrottle keeps each client's request times as a list in the cache and
    reads, trims and writes the whole list back on every request: up to the rate's number
    of floats pickled twice a request (600 for a member at 600/min), and two processes
    writing the list at once lose each other's requests. Here each window of `duration`
    has one counter, taken with an atomic `incr`; the rate over the last `duration` is the
    current window's count plus the previous window's, weighted by how much of it still
    lies inside (the sliding-window counter of many API gateways: exact when requests are
    spread evenly; at worst, requests bunched at the end of one window and spread over the
    next, up to twice the rate over one window's length). A refused request gives its
    count back, so it is not counted, as in DRF.
    """

    def allow_request(self, request, view):
        self.key = self._key_for(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        current, previous = f"{self.key}:{window}", f"{self.key}:{window - 1}"
        before = self.cache.get(previous, 0)
        # The slot is taken first and the count it returns decides: requests arriving together
        # each see their own count, so none slips past the rate on a count read before another's.
        taken = self._take(current, 2 * self.duration + 1)
        elapsed = self.now - window * self.duration
        if before * (1 - elapsed / self.duration) + taken > self.num_requests:
            self._give_back(current)  # a refused request is not counted
            self._wait = self._until_free(taken - 1, before, elapsed)
            return False
        return True

    def _until_free(self, taken, before, elapsed) -> float:
        """Seconds until one more request fits (at least 1)."""
        room = self.num_requests - 1
        if taken > room:  # not in this window: in the next, once this one's count has faded enough
            wait = (self.duration - elapsed) + max(0.0, self.duration * (1 - room / taken))
        else:
            wait = self.duration * (1 - (room - taken) / before) - elapsed
        return max(1.0, wait)

    def wait(self):
        return getattr(self, "_wait", None)


class MemberRateThrottle(_SlidingWindowThrottle):
    """Authenticated requests, per member."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousRateThrottle(_SlidingWindowThrottle):
    """Unauthenticated requests, per client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": _digest(self.get_ident(request))}


class _FailureThrottle(_CountingThrottle):
    """Counts failed logins only; a success gives its slot back.

    `allow_request` takes a slot atomically (`cache.incr`) before the password
    is checked, so parallel guesses cannot slip past the count; the view then
    calls `succeeded()` (the slot is given back: successes never count) or
    `failed()` (the slot stays, and the window runs for another `duration` from
    this failure). Refused attempts never extend the window, so a stranger
    cannot keep a lock up by knocking. The count is over once `duration` has
    passed since the last failure: at most `num_requests` wrong tries in any
    such window.
    """

    def __init__(self):
        super().__init__()
        self.key = None
        self._wait = None

    def _keys(self):
        return self.key, f"{self.key}:until"

    def allow_request(self, request, view):
        self.key = self._key_for(request, view)
        if self.key is None:
            return True
        count_key, until_key = self._keys()
        self.now = self.timer()
        until = self.cache.get(until_key)
        if until is not None and self.now >= until:
            self.cache.delete_many([count_key, until_key])  # the window has passed
            until = None
        taken = self._take(count_key, self.duration)
        if taken > self.num_requests:
            self._give_back(count_key)
            self._wait = max(1, int((until or self.now + self.duration) - self.now))
            self.key = None  # nothing of this attempt to give back or count
            return False
        return True

    def succeeded(self):
        if self.key is not None:
            self._give_back(self.key)
            self.key = None

    def failed(self):
        if self.key is not None:
            count_key, until_key = self._keys()
            self.cache.set(until_key, self.now + self.duration, self.duration)
            self.cache.touch(count_key, self.duration)
            self.key = None

    def wait(self):
        return self._wait


class LoginAddressThrottle(_FailureThrottle):
    """Failed logins from one client address, whatever phone they name.

    Successes never count: 200 members logging in from a commune hall's Wi-Fi
    (or a mobile carrier's shared address) are never held up by each other.
    """

    scope = "login_address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": _digest(self.get_ident(request))}


def login_phone_key(phone: str) -> str:
    return _FailureThrottle.cache_format % {"scope": "login_phone", "ident": _digest(try_normalize_phone(phone))}


class LoginPhoneThrottle(_FailureThrottle):
    """Failed logins naming one phone number, from wherever they come.

    `0912345678` and `+84912345678` are the same person, so they share a count.
    A body without a usable phone is left to the address throttle (and then to
    the serializer's 400). A device that logged in before is counted apart
    (`LoginDeviceThrottle`): the owner is never locked out by a stranger's guesses.
    """

    scope = "login_phone"

    def get_cache_key(self, request, view):
        phone = _phone_of(request)
        return login_phone_key(phone) if phone else None


class LoginDeviceThrottle(_FailureThrottle):
    """Failed logins of one phone from one device that logged in before (same rate as the phone's)."""

    scope = "login_phone"

    def __init__(self, device: str):
        super().__init__()
        self.device = device

    def get_cache_key(self, request, view):
        phone = _phone_of(request)
        if not phone:
            return None
        ident = _digest(f"{try_normalize_phone(phone)} {self.device}")
        return self.cache_format % {"scope": "login_device", "ident": ident}


class RegisterPhoneThrottle(LoginPhoneThrottle):
    """Failed registrations naming one phone (POST /auth/register/), at the login_phone rate.

    Counted apart from logins, so that bad invite codes sent with a member's phone
    never lock that member's login."""

    def get_cache_key(self, request, view):
        phone = _phone_of(request)
        if not phone:
            return None
        return self.cache_format % {"scope": "register_phone", "ident": _digest(try_normalize_phone(phone))}


def _phone_of(request) -> str | None:
    data = request.data
    phone = data.get("phone") if isinstance(data, Mapping) else None
    if not isinstance(phone, str) or not phone.strip() or len(phone) > 64:
        return None
    return phone


def login_unlock(phone: str) -> None:
    """Forget the failed logins counted against `phone` (a coordinator lifted the lock)."""
    key = login_phone_key(phone)
    throttling.SimpleRateThrottle.cache.delete_many([key, f"{key}:until"])
