"""Serializer fields shared by several apps."""

import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

HHMM_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
HHMM_SCHEMA = {"type": "string", "pattern": HHMM_PATTERN, "example": "09:30"}


@extend_schema_field(HHMM_SCHEMA)
class HHMMField(serializers.TimeField):
    """A wall-clock time ``HH:MM`` (24h) in the clinic's zone, read and written as
    exactly that: no seconds, no offset, no ISO time (Swagger's ``17:45:37.470Z``)."""

    default_error_messages = {"invalid": "Must be a time like 09:30 (HH:MM, 24h)."}

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M"])
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        # strptime also takes "9:5"; the contract's HH:MM does not.
        if not isinstance(value, str) or not re.fullmatch(HHMM_PATTERN, value):
            self.fail("invalid")
        return super().to_internal_value(value)


class BooleanField(serializers.BooleanField):
    """``true`` or ``false``, as the schema says: not DRF's ``0``, ``1``, ``"yes"``
    or ``"on"``. (A query string's ``true``/``false`` are read in clinicflow.api.)"""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid")


class ChoiceListField(serializers.CharField):
    """A query parameter naming one or more choices, comma-separated
    (``status=unconfirmed,confirmed``)."""

    def __init__(self, *, choices, **kwargs):
        self.allowed = frozenset(choices)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = [v.strip() for v in super().to_internal_value(data).split(",") if v.strip()]
        unknown = sorted(set(values) - self.allowed)
        if unknown:
            raise serializers.ValidationError(f"Unknown value: {', '.join(unknown)}.")
        return values


class ScopedInputSerializer(serializers.Serializer):
    """An input serializer whose id fields accept only what the caller may see.

    ``scoped_querysets(user)`` maps field names to the selector querysets of the
    caller's scope, so an id outside it reads as unknown (400), like a typo. Without
    a user (schema generation) the fields accept nothing.
    """

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            for name, queryset in self.scoped_querysets(user).items():
                self.fields[name].queryset = queryset

    def scoped_querysets(self, user) -> dict:
        return {}


class PhoneField(serializers.RegexField):
    """A phone number as people write it: at least 7 digits, with spaces, + ( ) . -."""

    PATTERN = r"^(?=(?:\D*\d){7})\+?[0-9 ().\-]{7,20}$"

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter a phone number: digits, spaces, + ( ) - only."}
        )
        super().__init__(self.PATTERN, **kwargs)
