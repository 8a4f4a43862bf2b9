from urllib.parse import urlparse

from django.conf import settings
from django.http.request import validate_host


class OriginValidator:
    """Refuses a browser socket from an origin that is neither this site
    (``ALLOWED_HOSTS``) nor the frontend (``CORS_ALLOWED_ORIGINS``). Clients that
    send no Origin (not browsers, so no cross-site risk) are let through; they
    still have to authenticate."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        origin = dict(scope.get("headers", [])).get(b"origin")
        if origin is None or self.allowed(origin.decode("latin1")):
            return await self.application(scope, receive, send)
        await send({"type": "websocket.close", "code": 4403})

    @staticmethod
    def allowed(origin: str) -> bool:
        if origin.rstrip("/") in settings.CORS_ALLOWED_ORIGINS:
            return True
        host = urlparse(origin).hostname or ""
        return validate_host(host, settings.ALLOWED_HOSTS)
