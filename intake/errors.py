from rest_framework import status

from clinicflow.exceptions import Conflict, DomainError


class TokenNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "token_not_found"
    default_detail = "This intake link is not valid. Please check the link or contact the clinic."


class TokenExpired(DomainError):
    status_code = status.HTTP_410_GONE
    code = "token_expired"
    default_detail = "This intake link has expired. Please contact the clinic for a new one."


class TokenReplaced(TokenExpired):
    code = "token_replaced"
    default_detail = "A newer intake link was sent for this visit. Please use the latest one."


class AlreadySubmitted(Conflict):
    code = "already_submitted"
    default_detail = "This form has already been submitted. Thank you!"


class InvalidAnswers(DomainError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "invalid_answers"
    default_detail = "Some answers need attention."

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(extra={"errors": errors})
        self.errors = errors
