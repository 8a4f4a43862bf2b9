"""Serializer fields shared by several apps."""

from rest_framework import serializers


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
