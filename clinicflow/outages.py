"""What a request answers when the database or Redis is down, and when it hits a bug.

- A dependency that is down (the database refuses or drops the connection, a query
  hits the statement timeout, Redis does not answer) is not the request's fault and
  will pass: **503** with ``Retry-After``, ``{"detail", "code": "service_unavailable"}``
  under ``/api/`` and a plain, self-contained "try again in a minute" page elsewhere
  (the patient's intake page, ``/admin/``). Logged once, one error line naming the
  exception class, never with the request's body (it holds patient answers).
- Anything else is a bug: **500**, ``{"detail", "code": "server_error"}`` under
  ``/api/``, Django's page elsewhere, logged by Django with its traceback as always.

``OutageMiddleware`` answers for exceptions raised by views (DRF's handler passes
these on; see ``clinicflow.exceptions``); ``handler500`` (``clinicflow/urls.py``)
for those raised anywhere else (another middleware, a session save).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

UNAVAILABLE_DETAIL = "The service is briefly unavailable. Please try again in a minute."
SERVER_ERROR_DETAIL = "Something went wrong on our side. It has been logged."

# No template, no static file, no database: this page must render when nothing else can.
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Please try again in a minute</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
padding:2rem 1.25rem;color:#1f2933;background:#f7f9fb;line-height:1.5}
main{max-width:32rem;margin:0 auto;background:#fff;border-radius:.5rem;
padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.1)}
h1{font-size:1.4rem;margin:0 0 .75rem}
</style>
</head>
<body>
<main>
<h1>Please try again in a minute</h1>
<p>We can’t open this page right now because part of our system is briefly
unavailable. Nothing is wrong with your link or your device.</p>
<p>Please wait a minute, then reload this page. If you were sending a form and it
doesn’t go through, you can send it again.</p>
</main>
</body>
</html>
"""

# The same privacy as the patient's page: not cached, indexed, framed or scripted.
PAGE_HEADERS = {
    "Cache-Control": "no-store, private",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
    ),
}


def dependency_down(exc: BaseException | None) -> str | None:
    """``"database"`` or ``"redis"`` when ``exc`` says that dependency is unreachable
    (or timed out), else None."""
    if isinstance(exc, OperationalError | InterfaceError):
        return "database"
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return "redis"
    return None


def wants_json(request) -> bool:
    return request.path.startswith("/api/")


def unavailable(request) -> HttpResponse:
    """The 503 of a dependency outage, JSON under /api/, a plain page elsewhere."""
    if wants_json(request):
        response = JsonResponse(
            {"detail": UNAVAILABLE_DETAIL, "code": "service_unavailable"}, status=503
        )
        response["Cache-Control"] = "no-store"
    else:
        response = HttpResponse(
            UNAVAILABLE_PAGE, status=503, content_type="text/html; charset=utf-8"
        )
        for header, value in PAGE_HEADERS.items():
            response[header] = value
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def log_outage(request, response, exc: BaseException) -> None:
    """One error line per outage answer, naming the exception, without traceback
    (an outage is not a bug) and without the request's body."""
    # The path goes through the log handler's intake-token redaction. The message's
    # first line says the host and the reason; later lines can quote the query.
    reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    logger.error(
        "%s unavailable: %s %s answered 503 (%s.%s: %s)",
        dependency_down(exc).capitalize(),
        request.method,
        request.path,
        exc.__class__.__module__,
        exc.__class__.__name__,
        reason,
    )
    # Django would log the 503 again ("Service Unavailable: <path>", and with the
    # traceback when it came through handler500); this line says it all.
    response._has_been_logged = True


class OutageMiddleware:
    """Answers 503 for a view (or DRF's authentication, throttles, permissions) that
    raised because the database or Redis is down; lets every other exception through
    to Django (logged, then ``handler500``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if dependency_down(exception) is None:
            return None
        response = unavailable(request)
        log_outage(request, response, exception)
        return response


def server_error(request):
    """``handler500``: an exception no view answered for. Django logs a bug, with its
    traceback, right after this returns."""
    exc = sys.exc_info()[1]
    if dependency_down(exc) is not None:
        response = unavailable(request)
        log_outage(request, response, exc)
        return response
    if wants_json(request):
        return JsonResponse({"detail": SERVER_ERROR_DETAIL, "code": "server_error"}, status=500)
    return defaults.server_error(request)
