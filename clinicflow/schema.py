"""OpenAPI generation: drf-spectacular plus the error answers each endpoint gives."""

import copy

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance, is_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from clinicflow.api import query_serializer_for


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


# What clinicflow.exceptions answers with a 400: DRF's `{field: [messages]}` (an
# object for a nested field, `non_field_errors` for the body as a whole, query
# parameters by name), or `{detail, code}` when a clinic rule refuses the request,
# sometimes with its context (e.g. `working_hours`).
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
        ]
    },
}


ERRORS = {
    "400": OpenApiResponse(
        VALIDATION_ERROR_SCHEMA,
        description="Invalid input: `{field: [messages]}`, or `{detail, code}` for a refused rule.",
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

    def get_override_parameters(self):
        """The view's query serializer (clinicflow.api), as the view reads it."""
        declared = query_serializer_for(
            self.view, action=getattr(self.view, "action", None), method=self.method
        )
        return [*([declared] if declared else []), *super().get_override_parameters()]

    def _get_request_for_media_type(self, serializer, direction="request"):
        """``PUT`` and ``PATCH`` change only the keys sent (clinicflow.api): both
        document the partial body, and both need one."""
        if self.method == "PUT" and is_serializer(serializer):
            serializer = copy.copy(force_instance(serializer))
            serializer.partial = True
        schema, required = super()._get_request_for_media_type(serializer, direction)
        if self.method in ("PUT", "PATCH"):
            required = schema is not None
        return schema, required

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = set(getattr(self.view, "error_statuses", ()))
        public = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        if not public:
            codes |= {"401", "403"}
        # Every operation refuses unknown or malformed query parameters (clinicflow.api).
        codes.add("400")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.add("404")  # no such object; or "Invalid page."
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
