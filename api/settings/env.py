"""The one set of helpers every setting is read with: each fails at start-up with
ImproperlyConfigured naming the variable, never a bare ValueError."""
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """An integer setting: the default when unset or empty, a clear ImproperlyConfigured otherwise."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.")


def env_float(name: str, default: float) -> float:
    """A number of seconds: the default when unset or empty, a clear ImproperlyConfigured otherwise."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}.")


def env_rate(name: str, default: str) -> str:
    """A throttle rate `N/period` (period: s, sec, min, hour, day); checked at start-up."""
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like 100/min (s, min, hour or day), not {value!r}.")
    return value




def env_quiet_hours(name: str, default: str) -> tuple[str, str] | None:
    """A local-time window "HH:MM-HH:MM" (it may wrap past midnight, "21:00-07:00");
    "off" or "" (set explicitly) turns it off. ImproperlyConfigured naming the variable otherwise."""
    value = os.environ.get(name, default).strip()
    if value.lower() in ("", "off", "none"):
        return None
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)", value)
    if not match or match.group(1, 2) == match.group(3, 4):
        raise ImproperlyConfigured(f"{name} must look like 21:00-07:00 (local times, start-end) or off; "
                                   f"got {value!r}.")
    return f"{match[1]}:{match[2]}", f"{match[3]}:{match[4]}"
