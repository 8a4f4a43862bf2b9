"""Loud environment readers for settings.py.

Every reader names the variable in its error, so a bad deployment fails at start
with a message that says what to fix (after cookiecutter-django's ``env`` and
Healthchecks' settings helpers).
"""

import os
from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}; got {value}.")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, *, schemes: tuple[str, ...]) -> str:
    """A URL whose scheme is one of ``schemes``, or "" when the variable is unset."""
    value = env_str(name)
    if not value:
        return ""
    scheme, sep, rest = value.partition("://")
    if not sep or not rest or scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}; "
            f"got {value!r}."
        )
    return value


@cache
def known_time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def env_timezone(name: str, default: str) -> str:
    value = env_str(name, default)
    if value not in known_time_zones():
        raise ImproperlyConfigured(f"{name} must be an IANA time zone; got {value!r}.")
    return value
