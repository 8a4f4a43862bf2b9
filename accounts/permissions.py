"""Role permissions, in one place.

A view says which roles may use it in ``allowed_roles``: a tuple for every action,
or a dict keyed by viewset action (``"list"``, ``"create"``, a custom action name)
or HTTP method, with ``"*"`` as the fallback. A role not named gets 403; what lies
outside the caller's clinic never reaches a permission check, because the
selectors leave it out of the queryset (404).
"""

from rest_framework.permissions import BasePermission

from accounts.models import Role
from clinicflow.api import handles

ADMIN = (Role.ADMIN,)
DOCTOR = (Role.DOCTOR,)
OWNER = (Role.OWNER,)
ADMIN_OR_DOCTOR = (Role.ADMIN, Role.DOCTOR)
ADMIN_OR_OWNER = (Role.ADMIN, Role.OWNER)
STAFF = (Role.ADMIN, Role.DOCTOR, Role.OWNER)


def allowed_roles_for(view, request) -> tuple:
    roles = getattr(view, "allowed_roles", ())
    if isinstance(roles, dict):
        action = getattr(view, "action", None)
        if action in roles:
            return roles[action]
        if request.method in roles:
            return roles[request.method]
        return roles.get("*", ())
    return roles


class HasRole(BasePermission):
    message = "Your role may not use this endpoint."
    code = "forbidden_role"

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if not handles(view, request):
            return True  # the view answers 405 Method Not Allowed, whoever asks
        return user.role in allowed_roles_for(view, request)
