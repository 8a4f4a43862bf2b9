"""JWTs bound to a server-side session (the ``sessions`` table).

Every token carries ``sid``. Logging out or disabling the user ends the session,
so its access and refresh tokens stop working on the next request rather than at
expiry, which plain simplejwt cannot do for access tokens.
"""

from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_to_epoch

from accounts.models import Session, User

SESSION_CLAIM = "sid"


def issue_tokens(*, user: User, session: Session) -> tuple[str, str, str]:
    """A new refresh/access pair for ``session``; returns (access, refresh, refresh jti)."""
    refresh = RefreshToken.for_user(user)
    refresh[SESSION_CLAIM] = str(session.id)
    refresh_exp = datetime_to_epoch(session.expires_at)
    if refresh_exp < refresh["exp"]:
        refresh["exp"] = refresh_exp
    access = refresh.access_token
    if refresh_exp < access["exp"]:
        access["exp"] = refresh_exp
    return str(access), str(refresh), refresh["jti"]
