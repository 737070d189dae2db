"""One login attempt under the login throttles, and devices that logged in before.

    guard = LoginGuard(request, device=known_device(request, phone))
    wait = guard.check()          # seconds to wait (429), or None
    ...check the password...
    guard.succeeded() / guard.failed()

Only failures count (api/throttling.py): per phone from every address together,
and per client address. A device that logged in before presents a proof with
its login, and is then counted on its own (per phone and device) instead: a
stranger guessing the owner's password, or failing from the same shared
address, never keeps the owner out.

A proof is either
- the `device` value a successful login answers with (also set as the
  `login_device` cookie, for web clients), signed by the server and naming the
  person; or
- a refresh token the server issued to that person (`refresh` in the body),
  still unexpired and not revoked by logout or rotation.
A proof for another person, or a forged or expired one, is simply ignored.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken

from .phones import try_normalize_phone
from .throttling import LoginAddressThrottle, LoginDeviceThrottle, LoginPhoneThrottle

DEVICE_COOKIE = "login_device"
_DEVICE_SALT = "api.login.device"

LOGIN_THROTTLES = (LoginAddressThrottle, LoginPhoneThrottle)


def device_token(member_id: int, device: str | None = None) -> str:
    """A signed proof that this device logged in as `member_id` (kept for DEVICE_PROOF_DAYS)."""
    return signing.dumps({"m": member_id, "d": device or secrets.token_hex(12)}, salt=_DEVICE_SALT)


def _device_from_token(value) -> tuple[int, str] | None:
    if not isinstance(value, str) or not value or len(value) > 512:
        return None
    try:
        data = signing.loads(value, salt=_DEVICE_SALT, max_age=settings.DEVICE_PROOF_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("d"), str):
        return None
    return data["m"], data["d"]


def _device_from_refresh(value) -> tuple[int, str] | None:
    if not isinstance(value, str) or not value or len(value) > 4096:
        return None
    try:
        token = RefreshToken(value)  # signature, lifetime and the blacklist
    except TokenError:
        return None
    member_id = str(token.payload.get(jwt_settings.USER_ID_CLAIM, ""))
    if not (member_id.isascii() and member_id.isdigit()):
        return None
    return int(member_id), f"refresh:{token.payload.get('jti', '')}"


def presented_device(request) -> tuple[int, str] | None:
    """(member id, device id) from the proof the request presents, if any (not yet matched to a phone)."""
    data = request.data if isinstance(getattr(request, "data", None), dict) else {}
    for found in (_device_from_token(data.get("device")),
                  _device_from_token(request.COOKIES.get(DEVICE_COOKIE)),
                  _device_from_refresh(data.get("refresh"))):
        if found is not None:
            return found
    return None


def known_device(request, phone) -> str | None:
    """The device id when the request proves a device that logged in as the owner of `phone`."""
    found = presented_device(request)
    if found is None or not isinstance(phone, str) or len(phone) > 64:
        return None
    member_id, device = found
    owner = (get_user_model()._default_manager.filter(phone=try_normalize_phone(phone))
             .values_list("pk", flat=True).first())
    return device if owner == member_id else None


class LoginGuard:
    """The login throttles for one attempt (see the module docstring)."""

    def __init__(self, request, *, device: str | None = None, throttle_classes=LOGIN_THROTTLES):
        self.request = request
        self.device = device
        if device is not None:
            self.throttles = [LoginDeviceThrottle(device)]
        else:
            self.throttles = [cls() for cls in throttle_classes]

    def check(self) -> int | None:
        """Take a slot of every throttle; the seconds to wait when one is full (nothing is then taken)."""
        waits = []
        for throttle in self.throttles:
            if not throttle.allow_request(self.request, None):
                waits.append(throttle.wait() or 1)
        if waits:
            self.succeeded()  # give back the slots the others took
            return max(waits)
        return None

    def succeeded(self) -> None:
        for throttle in self.throttles:
            throttle.succeeded()

    def failed(self) -> None:
        for throttle in self.throttles:
            throttle.failed()
