"""OpenAPI generation: drf-spectacular plus the error answers each endpoint gives."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """Each invalid field maps to a list of messages."""

    field_name = serializers.ListField(child=serializers.CharField())


ERRORS = {
    "400": OpenApiResponse(
        ValidationErrorSerializer, description="Invalid input: `{field: [messages]}`."
    ),
    "401": OpenApiResponse(ErrorSerializer, description="No, invalid, expired or revoked token."),
    "403": OpenApiResponse(
        ErrorSerializer, description="The caller's role may not use this endpoint."
    ),
    "404": OpenApiResponse(ErrorSerializer, description="No such object in the caller's scope."),
    "409": OpenApiResponse(ErrorSerializer, description="Conflicts with the current state."),
    "410": OpenApiResponse(ErrorSerializer, description="The link has expired or was replaced."),
    "413": OpenApiResponse(ErrorSerializer, description="The request body is too large."),
    "422": OpenApiResponse(
        ErrorSerializer,
        description="Answers do not fit the form: `errors` maps field keys to messages.",
    ),
    "429": OpenApiResponse(ErrorSerializer, description="Too many requests; retry later."),
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses an endpoint can give to what it documents.

    A view may list more in ``error_statuses`` (e.g. ``("409",)``).
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = set(getattr(self.view, "error_statuses", ()))
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            codes |= {"401", "403"}
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            codes.add("400")
        if "{" in self.path:
            codes.add("404")
        if getattr(self.view, "throttle_classes", None):
            codes.add("429")
        for code in sorted(codes):
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    ERRORS[code], code, direction=direction
                )
        return responses


def paths_without_trailing_slash(endpoints, **kwargs):
    """Document ``/api/patients/{id}`` as the guide writes it; both spellings answer."""
    return [
        (path.rstrip("/"), regex, method, callback) for path, regex, method, callback in endpoints
    ]
