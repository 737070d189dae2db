"""Bearer-token authentication without a query per request.

`TokenAuthentication` checks the JWT's signature and lifetime (simplejwt), then
the person's current AuthState (api/authstate.py: the shared cache, else one
query): the token's `ver` claim must be the person's token version and the
person must be active. A token minted before versions existed carries no `ver`
and counts as version 0.

`request.user` is a `TokenMember`: it knows the id and the active, staff and
superuser flags without a query, is an instance of the user model for
`isinstance` checks and ORM filters (`filter(member=request.user)` costs
nothing extra), and loads the full row once on the first other attribute a
view reads (`request.user.full_name`).

A token's signature is checked once per process: a raw token already verified is taken
from a bounded per-process map until its `exp` (plus simplejwt's leeway), and the
person's AuthState is still read for every request, so deactivation and a password
change lock the token out at once as before. Decoding and verifying the JWT was about
0.4 ms of every request (issue 16); a token changed in any byte is another key and is
verified from scratch.
"""
from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from .authstate import AuthState, auth_state

VERSION_CLAIM = "ver"


def token_version(token) -> int:
    value = token.get(VERSION_CLAIM, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _known(name: str):
    def read(self):
        wrapped = self.__dict__["_wrapped"]
        if wrapped is empty:
            return self.__dict__["_known"][name]
        return getattr(wrapped, name)

    return property(read)


class TokenMember(LazyObject):
    """The authenticated person, loaded from the database only when a view needs more
    than who they are (see the module docstring)."""

    # Kept on the proxy itself, so setting them never loads the row (api.access keeps
    # the caller's scope here for the request).
    _LOCAL = frozenset({"_scope_cache"})

    def __init__(self, member_id: int, state: AuthState):
        self.__dict__["_known"] = {
            "pk": member_id, "id": member_id, "is_active": state.is_active,
            "is_superuser": state.is_superuser, "is_staff": state.is_staff,
        }
        self.__dict__["_scope_cache"] = None
        super().__init__()

    def _setup(self):
        self._wrapped = get_user_model()._default_manager.get(pk=self.__dict__["_known"]["pk"])

    pk = _known("pk")
    id = _known("id")
    is_active = _known("is_active")
    is_superuser = _known("is_superuser")
    is_staff = _known("is_staff")
    is_authenticated = True
    is_anonymous = False

    # isinstance(request.user, Member) and the ORM's checks hold without loading the row.
    __class__ = property(lambda self: get_user_model())  # type: ignore[assignment]
    _meta = property(lambda self: get_user_model()._meta)

    def _is_pk_set(self):  # asked by the ORM before it uses the instance in a filter
        return True

    # A person is truthy and compares and hashes like a model instance, by id.
    def __bool__(self):
        return True

    def __hash__(self):
        return hash(self.__dict__["_known"]["pk"])

    def __eq__(self, other):
        if isinstance(other, Model):
            return other._meta.concrete_model is self._meta.concrete_model and other.pk == self.pk
        return NotImplemented

    def __getattr__(self, name):
        # A name the model does not have (the ORM probes values for `resolve_expression`)
        # is missing without loading the row; instance-only names (`_state`) load it.
        if not name.startswith("_") and not hasattr(get_user_model(), name):
            raise AttributeError(name)
        return super().__getattr__(name)

    def __setattr__(self, name, value):
        if name in self._LOCAL:
            self.__dict__[name] = value
        else:
            super().__setattr__(name, value)

    def __delattr__(self, name):
        if name in self._LOCAL:
            self.__dict__[name] = None
        else:
            super().__delattr__(name)

    @property
    def is_loaded(self) -> bool:
        return self.__dict__["_wrapped"] is not empty

    def __repr__(self):
        return f"<TokenMember {self.__dict__['_known']['pk']}{'' if self.is_loaded else ' (not loaded)'}>"


# raw token -> (the validated token, the Unix time it stops being valid); insertion order is
# the eviction order once VERIFIED_TOKENS_KEPT are kept.
_verified: dict[bytes, tuple[object, float]] = {}
VERIFIED_TOKENS_KEPT = 10_000


def forget_verified_tokens() -> None:
    _verified.clear()


class TokenAuthentication(JWTAuthentication):
    """simplejwt's JWTAuthentication, with the person checked against their AuthState."""

    def get_validated_token(self, raw_token):
        key = bytes(raw_token)
        known = _verified.get(key)
        if known is not None:
            token, until = known
            if time.time() < until:
                return token
            _verified.pop(key, None)
        token = super().get_validated_token(raw_token)  # signature, lifetime, token type
        exp = token.get("exp")
        if isinstance(exp, (int, float)) and not isinstance(exp, bool):
            if len(_verified) >= VERIFIED_TOKENS_KEPT:
                _verified.pop(next(iter(_verified), None), None)
            _verified[key] = (token, exp + token.get_token_backend().get_leeway().total_seconds())
        return token

    def get_user(self, validated_token):
        try:
            member_id = validated_token[jwt_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken(_("Token contained no recognizable user identification"))
        # simplejwt writes the id as a string ("7"); older tokens hold the number.
        if isinstance(member_id, str) and member_id.isascii() and member_id.isdigit():
            member_id = int(member_id)
        if not isinstance(member_id, int) or isinstance(member_id, bool):
            raise InvalidToken(_("Token contained no recognizable user identification"))
        state = auth_state(member_id)
        # A deleted or deactivated person's token, and one minted before the last
        # password change, are all simply dead: one answer (token_not_valid).
        if state is None or not state.is_active or token_version(validated_token) != state.version:
            raise InvalidToken(_("Token is invalid or expired"))
        return TokenMember(member_id, state)


class TokenAuthenticationScheme(SimpleJWTScheme):
    """Document TokenAuthentication exactly like simplejwt's (the `jwtAuth` bearer scheme)."""

    target_class = "api.authentication.TokenAuthentication"
