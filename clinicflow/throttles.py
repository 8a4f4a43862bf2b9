"""Throttles that keep counting when the shared cache is down.

Throttle counters live in the default cache: Redis on the full stack, so every web
process counts together. When that cache cannot be reached, a throttle counts in
this process's memory instead, at the same rate, so sign-in, token refresh and the
patient's intake keep answering (and stay limited, per process rather than across
processes) while Redis is down.

After a failure the shared cache is left alone for ``FALLBACK_SECONDS``: a Redis
that does not answer then costs one request per process its timeout (at most
``REDIS_CONNECT_TIMEOUT``/``REDIS_CACHE_TIMEOUT``) per interval, not every request.
Then it is tried again, and counting goes back to it once it answers.

Every throttle of the project derives from one of the two classes here.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework import throttling

logger = logging.getLogger(__name__)

# Errors of an unreachable or failing cache (redis-py wraps socket errors in its
# own; OSError covers any other backend's).
CACHE_ERRORS = (RedisError, OSError)
FALLBACK_SECONDS = 15
WARN_EVERY_SECONDS = 60

# This process's counters. Culling forgets counts, so it waits for many clients.
local_counters = LocMemCache("clinicflow-throttles", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class SharedCacheHealth:
    """Whether throttles should try the shared cache now, and when they last said
    it failed (one warning a minute, whatever the request rate)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.down_until = 0.0
        self.warned_at: float | None = None

    def usable(self) -> bool:
        return time.monotonic() >= self.down_until

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self.down_until = now + FALLBACK_SECONDS
            if self.warned_at is not None and now - self.warned_at < WARN_EVERY_SECONDS:
                return
            self.warned_at = now
        logger.warning(
            "Throttles: the shared cache is unreachable (%s: %s); counting in this "
            "process's memory, retrying the cache every %d s",
            exc.__class__.__name__,
            exc,
            FALLBACK_SECONDS,
        )


shared_cache = SharedCacheHealth()


class SharedCacheFallback:
    """Mixin for DRF's cache-based throttles: the shared cache when it answers, this
    process's memory (same rate) when it does not."""

    def allow_request(self, request, view):
        if shared_cache.usable():
            try:
                return super().allow_request(request, view)
            except CACHE_ERRORS as exc:
                shared_cache.failed(exc)
        self.cache = local_counters
        return super().allow_request(request, view)


class SimpleRateThrottle(SharedCacheFallback, throttling.SimpleRateThrottle):
    pass


class ScopedRateThrottle(SharedCacheFallback, throttling.ScopedRateThrottle):
    pass
