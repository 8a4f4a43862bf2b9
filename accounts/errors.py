from rest_framework import status

from clinicflow.exceptions import DomainError


class InvalidCredentials(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    default_detail = "Email or password is incorrect, or the account is disabled."


class InvalidRefreshToken(DomainError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "token_not_valid"
    default_detail = "The refresh token is invalid, expired or already used."
