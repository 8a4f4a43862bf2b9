from rest_framework import status

from clinicflow.exceptions import DomainError


class LinkError(DomainError):
    """A one-time link the patient cannot use (any more).

    When the link is known, ``appointment`` is its visit, so the patient's page can
    say which clinic to call; it never reaches the API's answer.
    """

    def __init__(self, detail: str | None = None, *, appointment=None, **kwargs):
        super().__init__(detail, **kwargs)
        self.appointment = appointment


class TokenNotFound(LinkError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "token_not_found"
    default_detail = "This intake link is not valid. Please check the link or contact the clinic."


class TokenExpired(LinkError):
    status_code = status.HTTP_410_GONE
    code = "token_expired"
    default_detail = "This intake link has expired. Please contact the clinic for a new one."


class TokenReplaced(TokenExpired):
    code = "token_replaced"
    default_detail = "A newer intake link was sent for this visit. Please use the latest one."


class VisitCancelled(TokenExpired):
    """The visit was cancelled or marked a no-show: the form is no longer needed."""

    code = "visit_cancelled"
    default_detail = "This visit was cancelled, so the intake form is no longer needed."


class VisitStarted(TokenExpired):
    """The patient has arrived, or the visit is over: the link has done its job."""

    code = "visit_started"
    default_detail = "This visit has already started or is over, so the form is closed."


class AlreadySubmitted(LinkError):
    status_code = status.HTTP_409_CONFLICT
    code = "already_submitted"
    default_detail = "This form has already been submitted. Thank you!"


class InvalidAnswers(DomainError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "invalid_answers"
    default_detail = "Some answers need attention."

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(extra={"errors": errors})
        self.errors = errors
