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


def query_params(serializer_class, request) -> dict:
    """A view's query parameters, validated by ``serializer_class`` (400 naming the bad one)."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class PhoneField(serializers.RegexField):
    """A phone number as people write it: at least 7 digits, with spaces, + ( ) . -."""

    PATTERN = r"^(?=(?:\D*\d){7})\+?[0-9 ().\-]{7,20}$"

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages", {"invalid": "Enter a phone number: digits, spaces, + ( ) - only."}
        )
        super().__init__(self.PATTERN, **kwargs)
