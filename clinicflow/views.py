import copy
import logging
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

import redis
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.http import JsonResponse
from redis.backoff import NoBackoff
from redis.retry import Retry

from clinicflow.outages import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)

# /readyz answers within this, whatever hangs: a load balancer's probe must not
# time out itself, and a sync view must not hold the worker thread for long.
READY_DEADLINE_SECONDS = 1.5
# Each check's own bounds, so that the thread running it ends soon after the deadline.
READY_CONNECT_TIMEOUT = 2  # seconds (libpq's and psycopg's minimum connect_timeout)
READY_STATEMENT_TIMEOUT_MS = 1000
READY_REDIS_TIMEOUT = 1

# The checks still running, by what they check: a later probe waits on the same one
# instead of starting another, so a database that hangs costs one thread, not one
# per probe.
_running: dict[tuple, Future] = {}
_running_lock = threading.Lock()


def healthz(request):
    """The process is up."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The database and, when configured, Redis answer, each within the deadline:
    200, or 503 with ``checks`` saying which failed (``error``) or hung (``timeout``)."""
    db = copy.deepcopy(connections["default"].settings_dict)
    target = ("database", db["ENGINE"], str(db["NAME"]), db.get("HOST"), db.get("PORT"))
    started = {"database": _start(target, lambda: _check_database(db))}
    if settings.REDIS_URL:
        url = settings.REDIS_URL
        started["redis"] = _start(("redis", url), lambda: _check_redis(url))
    deadline = time.monotonic() + READY_DEADLINE_SECONDS
    checks = {}
    for name, future in started.items():
        try:
            checks[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            logger.warning(
                "Readiness: %s did not answer within %.1f s", name, READY_DEADLINE_SECONDS
            )
            checks[name] = "timeout"
    failed = [name for name, value in checks.items() if value != "ok"]
    if not failed:
        return JsonResponse({"status": "ok", "checks": checks})
    response = JsonResponse(
        {
            "status": "unavailable",
            "checks": checks,
            "detail": f"Not ready: {' and '.join(failed)} unavailable.",
            "code": "service_unavailable",
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _start(target: tuple, check) -> Future:
    """``check()`` in a daemon thread, unless one for the same ``target`` still runs."""
    with _running_lock:
        future = _running.get(target)
        if future is not None and not future.done():
            return future
        future = _running[target] = Future()

    def run():
        try:
            future.set_result(check())
        except BaseException as exc:  # the check catches what it expects; never hang
            future.set_exception(exc)

    threading.Thread(target=run, name=f"readyz-{target[0]}", daemon=True).start()
    return future


def _check_database(db: dict) -> str:
    """``SELECT 1`` on a connection of its own (the request's may be the one that is
    stuck), with short timeouts of its own."""
    options = db.setdefault("OPTIONS", {})
    options.pop("pool", None)
    if db["ENGINE"] == "django.db.backends.postgresql":
        options["connect_timeout"] = READY_CONNECT_TIMEOUT
        statement = f"-c statement_timeout={READY_STATEMENT_TIMEOUT_MS}"
        options["options"] = f"{options.get('options', '')} {statement}".strip()
    probe = load_backend(db["ENGINE"]).DatabaseWrapper(db, "readyz")
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        logger.warning("Readiness: database check failed (%s: %s)", exc.__class__.__name__, exc)
        return "error"
    finally:
        probe.close()
    return "ok"


def _check_redis(url: str) -> str:
    # No retries: redis-py's client retries a refused connection 3 times with
    # backoff (~4 s), and a probe reports how Redis answers now.
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=READY_REDIS_TIMEOUT,
        socket_timeout=READY_REDIS_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        logger.warning("Readiness: Redis check failed (%s: %s)", exc.__class__.__name__, exc)
        return "error"
    finally:
        client.close()
    return "ok"


def api_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)
