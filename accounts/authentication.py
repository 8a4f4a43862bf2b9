import uuid

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts.models import Session
from accounts.tokens import SESSION_CLAIM


class SessionJWTAuthentication(JWTAuthentication):
    """simplejwt's bearer authentication, plus a live-session check.

    One query loads the session with its user, clinic, clinic settings and doctor
    profile, so views and selectors need no further lookups for the caller.
    """

    def get_user(self, validated_token):
        try:
            session_id = uuid.UUID(str(validated_token[SESSION_CLAIM]))
        except (KeyError, ValueError):
            raise InvalidToken("Token carries no session.") from None
        session = (
            Session.objects.select_related("user__clinic__settings", "user__doctor__settings")
            .filter(pk=session_id)
            .first()
        )
        if session is None or not session.is_live:
            raise AuthenticationFailed("Session has ended.", code="session_ended")
        user = session.user
        if str(user.pk) != str(validated_token.get("user_id")):
            raise InvalidToken("Token does not match its session.")
        if not user.is_active or user.clinic_id is None:
            raise AuthenticationFailed("User is inactive.", code="user_inactive")
        user.auth_session = session
        return user


class SessionJWTAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.SessionJWTAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
