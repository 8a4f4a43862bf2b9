"""The recent past of each clinic's live updates: one ordered log per clinic, so a
socket that reconnects can ask for what it missed.

Every event is appended to its clinic's log right after its transaction commits;
the log gives it its id (``"<milliseconds>-<sequence>"``, increasing within the
clinic) and keeps who may hear it (its channel-layer groups). Sockets read the log
in order, so what a socket sees is the log's order, whichever web process wrote it.

Two stores, chosen by the channel layer (the same switch as live delivery):
- channels-redis: a Redis Stream per clinic, trimmed to ``LIVE_EVENTS_MAXLEN``
  entries and ``LIVE_EVENTS_WINDOW_SECONDS`` of age;
- the in-memory layer (embedded mode, one process): a deque per clinic, with the
  same bounds.

The log holds what the events carry (appointment times, patient names) for at most
the window; it is never a record of the clinic.
"""

import json
import re
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from redis.backoff import NoBackoff
from redis.retry import Retry

EVENT_ID = re.compile(r"^(\d{1,16})-(\d{1,10})$")


def parse_id(raw) -> tuple[int, int] | None:
    """``"1733300000000-3"`` → ``(1733300000000, 3)``; anything else → None."""
    match = EVENT_ID.match(raw) if isinstance(raw, str) else None
    return (int(match[1]), int(match[2])) if match else None


def format_id(key: tuple[int, int]) -> str:
    return f"{key[0]}-{key[1]}"


@dataclass(frozen=True)
class Entry:
    id: str
    groups: tuple[str, ...]
    event: str
    data: dict

    def heard_by(self, groups) -> bool:
        return not set(self.groups).isdisjoint(groups)


# A position must be an entry of the log, so that the log can tell later whether
# it still holds what came after it; an empty log gets this entry, heard by nobody.
OPENED = "log:opened"


class Resync(Exception):
    """The position asked for is older than the log keeps, or unknown to it: the
    client must refetch its lists."""


class MemoryLog:
    """One process's logs (the embedded mode)."""

    def __init__(self):
        self._logs: dict[str, deque] = defaultdict(deque)
        self._last = (0, 0)
        self._lock = threading.Lock()

    def append(self, clinic_id, *, groups, event: str, data: dict) -> str:
        with self._lock:
            now = int(time.time() * 1000)
            key = (now, 0) if now > self._last[0] else (self._last[0], self._last[1] + 1)
            self._last = key
            log = self._logs[str(clinic_id)]
            # Through JSON, as in Redis: both stores hand back the same shapes.
            data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
            log.append(Entry(format_id(key), tuple(groups), event, data))
            self._trim(log, now)
            return format_id(key)

    def _trim(self, log: deque, now: int) -> None:
        oldest = now - settings.LIVE_EVENTS_WINDOW_SECONDS * 1000
        while log and (len(log) > settings.LIVE_EVENTS_MAXLEN or parse_id(log[0].id)[0] < oldest):
            log.popleft()

    def last_id(self, clinic_id) -> str:
        """The newest entry's id: where a socket that starts now begins."""
        with self._lock:
            log = self._logs.get(str(clinic_id))
            if log:
                return log[-1].id
        return self.append(clinic_id, groups=(), event=OPENED, data={})

    def since(self, clinic_id, after: str, *, resume: bool = False) -> list[Entry]:
        position = parse_id(after)
        if position is None:
            raise Resync()
        with self._lock:
            log = self._logs.get(str(clinic_id)) or deque()
            self._trim(log, int(time.time() * 1000))
            entries = list(log)
        return _entries_after(
            position,
            entries,
            first=entries[0].id if entries else None,
            last=entries[-1].id if entries else None,
            resume=resume,
        )


class RedisLog:
    """A Redis Stream per clinic, shared by every web process."""

    def __init__(self, *, url: str, prefix: str):
        self.prefix = prefix
        # Short, explicit timeouts: the log is written after a request's commit and
        # read by socket handlers, and a slow Redis must not hold either.
        # No retries either: redis-py's default (three, with backoff) turns a Redis
        # that refuses connections into seconds per event.
        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=settings.LIVE_EVENTS_TIMEOUT_SECONDS,
            socket_timeout=settings.LIVE_EVENTS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )

    def _key(self, clinic_id) -> str:
        return f"{self.prefix}:events:{clinic_id}"

    def append(self, clinic_id, *, groups, event: str, data: dict) -> str:
        key = self._key(clinic_id)
        window = settings.LIVE_EVENTS_WINDOW_SECONDS
        oldest = int(time.time() * 1000) - window * 1000
        payload = json.dumps(
            {"groups": list(groups), "event": event, "data": data}, cls=DjangoJSONEncoder
        )
        pipe = self.client.pipeline(transaction=False)
        pipe.xadd(key, {"entry": payload}, maxlen=settings.LIVE_EVENTS_MAXLEN, approximate=True)
        pipe.xtrim(key, minid=f"{oldest}-0", approximate=True)
        pipe.expire(key, window + 3600)  # a quiet clinic's log goes away
        entry_id, *_ = pipe.execute()
        return entry_id.decode()

    def last_id(self, clinic_id) -> str:
        """The newest entry's id: where a socket that starts now begins."""
        newest = self.client.xrevrange(self._key(clinic_id), count=1)
        if newest:
            return newest[0][0].decode()
        return self.append(clinic_id, groups=(), event=OPENED, data={})

    def since(self, clinic_id, after: str, *, resume: bool = False) -> list[Entry]:
        position = parse_id(after)
        if position is None:
            raise Resync()
        key = self._key(clinic_id)
        oldest = int(time.time() * 1000) - settings.LIVE_EVENTS_WINDOW_SECONDS * 1000
        pipe = self.client.pipeline(transaction=False)
        pipe.xrange(key, min=f"{oldest}-0", count=1)  # the oldest entry still in the window
        pipe.xrevrange(key, count=1)
        pipe.xrange(key, min=f"({format_id(position)}", count=settings.LIVE_EVENTS_MAX_REPLAY + 1)
        first, last, rows = pipe.execute()
        return _entries_after(
            position,
            [_from_stream(entry_id, fields) for entry_id, fields in rows],
            first=first[0][0].decode() if first else None,
            last=last[0][0].decode() if last else None,
            resume=resume,
        )


def _from_stream(entry_id: bytes, fields: dict) -> Entry:
    body = json.loads(fields[b"entry"])
    return Entry(entry_id.decode(), tuple(body["groups"]), body["event"], body["data"])


def _entries_after(position, entries, *, first: str | None, last: str | None, resume: bool):
    """The entries after ``position``, or Resync when some may be gone.

    On ``resume`` (a client's ``after``), a position before the oldest entry kept
    may have had entries since that were trimmed, and a position after the newest
    (or in an empty log) is not one this log gave out: either way the client cannot
    be told exactly what it missed. An open socket reads the log at every event, so
    its own position needs no such check.
    """
    if resume and (first is None or not parse_id(first) <= position <= parse_id(last)):
        raise Resync()
    newer = [entry for entry in entries if parse_id(entry.id) > position]
    if len(newer) > settings.LIVE_EVENTS_MAX_REPLAY:
        raise Resync()
    return newer


_logs: dict[tuple, object] = {}
_logs_lock = threading.Lock()


def event_log():
    """The log that goes with the configured channel layer."""
    layer = settings.CHANNEL_LAYERS["default"]
    if "channels_redis" in layer["BACKEND"]:
        host = layer["CONFIG"]["hosts"][0]
        url = host["address"] if isinstance(host, dict) else host
        key = ("redis", url, layer["CONFIG"].get("prefix", "asgi"))
    else:
        key = ("memory",)
    with _logs_lock:
        if key not in _logs:
            _logs[key] = RedisLog(url=key[1], prefix=key[2]) if key[0] == "redis" else MemoryLog()
        return _logs[key]
