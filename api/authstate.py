"""What authentication needs to know about a person, without a query per request.

An access token is a signed claim "member N, token version V". It stays good only
while member N is active and still at version V: a password change or reset, a
deactivation or an anonymisation moves the version on (teams.models.Member), so
every token issued before stops at once, access and refresh alike.

Checking that on every request would cost a query per request. The few fields
it needs (`AuthState`) are kept in the shared cache (Redis) instead, one entry
per person:

- a request whose entry is cached costs no query; a miss reads the row once
  and `add`s it (never overwriting a fresher entry written meanwhile);
- every save of a person writes the entry anew after the commit
  (`auth_state_changed`, called by Member.save), and drops it at once as well,
  so the same transaction, and the test suite, never see a stale one;
- while Redis is down (api/cache.py's breaker is open) entries are neither read
  from nor written to process memory, whose copies other processes could not
  invalidate: each request asks the database, as before this module existed;
- an entry lives AUTH_STATE_CACHE_SECONDS at most, which bounds how long a
  change could go unseen if Redis was unreachable exactly when it was made.

A queryset `.update()` of these fields skips save(): call
`auth_state_changed(ids)` after it.
"""
from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

KEY = "auth-state:v1:{}"


class AuthState(NamedTuple):
    version: int
    is_active: bool
    is_superuser: bool
    is_staff: bool


def _key(member_id) -> str:
    return KEY.format(member_id)


def _shared_get(key):
    getter = getattr(cache, "get_shared", None)
    return getter(key) if getter is not None else cache.get(key)


def _shared(method: str, *args) -> None:
    shared = getattr(cache, f"{method}_shared", None)
    if shared is not None:
        shared(*args)
    else:
        getattr(cache, method)(*args)


def auth_state_read(member_id) -> AuthState | None:
    """The person's AuthState from the database (None: no such person). One query."""
    row = (get_user_model()._default_manager.filter(pk=member_id)
           .values_list("token_version", "is_active", "is_superuser", "is_staff").first())
    return AuthState(*row) if row is not None else None


def auth_state(member_id) -> AuthState | None:
    """The person's AuthState: from the shared cache, else from the database (then cached)."""
    key = _key(member_id)
    cached = _shared_get(key)
    if cached is not None:
        return AuthState(*cached) if cached else None
    state = auth_state_read(member_id)
    # An empty tuple remembers "no such person" (a deleted account) just as well.
    _shared("add", key, tuple(state) if state else (), settings.AUTH_STATE_CACHE_SECONDS)
    return state


def auth_state_changed(member_ids) -> None:
    """Forget the cached states now, and write them afresh once the transaction commits."""
    ids = [member_ids] if isinstance(member_ids, int) else list(member_ids)
    if not ids:
        return
    for member_id in ids:
        _shared("delete", _key(member_id))

    def refresh():
        for member_id in ids:
            state = auth_state_read(member_id)
            _shared("set", _key(member_id), tuple(state) if state else (), settings.AUTH_STATE_CACHE_SECONDS)

    transaction.on_commit(refresh)
