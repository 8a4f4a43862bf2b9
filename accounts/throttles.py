import hashlib

from clinicflow.throttles import SimpleRateThrottle


class LoginIPThrottle(SimpleRateThrottle):
    """Sign-in attempts per client address."""

    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginEmailThrottle(SimpleRateThrottle):
    """Sign-in attempts per account, whatever address they come from."""

    scope = "login_email"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None
        ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class RefreshIPThrottle(LoginIPThrottle):
    scope = "refresh"
