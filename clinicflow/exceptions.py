"""Domain errors and the one exception handler that turns every error into
``{"detail": ..., "code": ...}`` (validation errors keep DRF's field map)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A refusal by a service, with the HTTP status and code the API answers with."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    default_detail = "The request cannot be carried out."

    def __init__(self, detail: str | None = None, *, code: str | None = None, extra=None):
        self.detail = detail or self.default_detail
        if code:
            self.code = code
        self.extra = extra or {}
        super().__init__(self.detail)


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_detail = "The request conflicts with the current state."


class PayloadTooLarge(DomainError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"
    default_detail = "The request body is too large."


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, DomainError):
        return Response(
            {"detail": exc.detail, "code": exc.code, **exc.extra}, status=exc.status_code
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API error: a dependency outage (OutageMiddleware answers 503) or a
        # bug (Django logs it and handler500 answers 500), both in clinicflow.outages.
        return None
    if isinstance(exc, exceptions.ValidationError):
        return response
    if isinstance(response.data, dict) and "detail" in response.data:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(codes, dict):
            codes = codes.get("detail")
        response.data = {"detail": str(response.data["detail"]), "code": codes or "error"}
    return response
