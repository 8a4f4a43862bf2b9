"""``/ws/events/``: live updates for signed-in staff (contract §8).

The client sends ``{"type": "auth", "token": "<access token>"}`` first (tokens never
go in the URL). On success the socket joins the groups the user's role allows and
gets ``{"type": "auth.ok", "role": ..., "last_id": ...}``; a bad token, or silence
for ``AUTH_TIMEOUT`` seconds, closes it with 4401. While open, the session is
checked every ``RECHECK_SECONDS``, and disabling the user closes it at once.

Events are ``{"id", "event", "data"}``; ids increase within the clinic. A client
that reconnects sends the last id it saw as ``"after"`` in its auth message, and
first gets every event since then that it may hear, in order, then the live ones,
with no gap and no repeat. If the clinic's log no longer holds that position (or
never did), it gets ``{"type": "resync"}`` and should refetch its lists.

The socket never forwards a payload it was sent: a ping (``event.logged``) makes
it read its clinic's log after the last id it sent, and send what its groups may
hear. So the log's order is the socket's order, whichever process published.

When Redis (the channel layer, the log) or the database fails under a socket, while
it signs in, joins its groups, listens, or has its session rechecked, the socket is
closed with 1013 ("try again later"), never 4401: the client reconnects with backoff
and keeps its token.
"""

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from redis.exceptions import RedisError
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError

from accounts.authentication import SessionJWTAuthentication
from accounts.models import Role, Session
from clinicflow import events
from clinicflow.event_log import Resync, event_log, parse_id
from clinicflow.outages import dependency_down

logger = logging.getLogger(__name__)

UNAUTHORIZED = 4401
# RFC 6455's "Try Again Later": Redis or the database is down. Clients reconnect
# with backoff, and the first socket after it is back works.
TRY_AGAIN_LATER = 1013
AUTH_TIMEOUT = 10
RECHECK_SECONDS = 30


@database_sync_to_async
def _authenticate(token: str):
    """The user and session behind an access token, or None."""
    auth = SessionJWTAuthentication()
    try:
        user = auth.get_user(auth.get_validated_token(token.encode()))
    except (AuthenticationFailed, TokenError):
        return None
    return user


@database_sync_to_async
def _session_live(session_id) -> bool:
    return Session.objects.live().filter(pk=session_id).exists()


def groups_for(user) -> list[str]:
    """The groups a user hears: filtering is membership, not payload inspection."""
    groups = [events.user_group(user.id), events.session_group(user.auth_session.id)]
    if user.role == Role.ADMIN:
        groups.append(events.admins_group(user.clinic_id))
    elif user.role == Role.DOCTOR:
        doctor = getattr(user, "doctor", None)
        if doctor is not None:
            groups.append(events.doctor_group(doctor.id))
    elif user.role == Role.OWNER:
        groups.append(events.owners_group(user.clinic_id))
    return groups


def _log_call(method, *args, **kwargs):
    """A call on the event log, off the event loop (Redis is a blocking client)."""
    return sync_to_async(method, thread_sensitive=False)(*args, **kwargs)


class EventsConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def __call__(self, scope, receive, send):
        """Closes the socket with ``TRY_AGAIN_LATER`` when Redis (the channel layer,
        the event log) or the database fails under it: while signing in, joining its
        groups, or waiting for events. Anything else is a bug and propagates."""
        try:
            await super().__call__(scope, receive, send)
        except Exception as exc:
            dependency = dependency_down(exc)
            if dependency is None:
                raise
            logger.warning(
                "Live updates: closing a socket with %d, %s unavailable (%s: %s)",
                TRY_AGAIN_LATER,
                dependency,
                exc.__class__.__name__,
                exc,
            )
            self._stop_tasks()
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})

    def _stop_tasks(self) -> None:
        for task in (getattr(self, "watchdog", None), getattr(self, "rechecker", None)):
            if task is not None:
                task.cancel()

    async def connect(self):
        self.groups_joined = []
        self.session_id = None
        self.clinic_id = None
        self.position = None  # the id of the last log entry this socket has read
        self.reading = asyncio.Lock()
        await self.accept()
        self.watchdog = asyncio.ensure_future(self._close_if_silent())

    async def _close_if_silent(self):
        await asyncio.sleep(AUTH_TIMEOUT)
        if self.session_id is None:
            await self.close(code=UNAUTHORIZED)

    async def _recheck(self):
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            try:
                live = await _session_live(self.session_id)
            except Exception as exc:
                if dependency_down(exc) is None:
                    raise
                # A session that cannot be checked may have ended: the client signs
                # in again once the database answers.
                await self.close(code=TRY_AGAIN_LATER)
                return
            if not live:
                await self.close(code=UNAUTHORIZED)
                return
            # A ping the channel layer lost (a slow Redis) delays an event by this
            # much at most: the log still holds it.
            await self._catch_up()

    async def receive_json(self, content, **kwargs):
        if self.session_id is not None:
            return  # the socket only listens once signed in
        token = content.get("token") if isinstance(content, dict) else None
        if (
            not isinstance(content, dict)
            or content.get("type") != "auth"
            or not isinstance(token, str)
        ):
            await self.close(code=UNAUTHORIZED)
            return
        user = await _authenticate(token)
        if user is None:
            await self.close(code=UNAUTHORIZED)
            return
        self.session_id = user.auth_session.id
        self.watchdog.cancel()
        self.clinic_id = user.clinic_id
        after = content.get("after")
        resume = "after" in content
        usable = not resume or parse_id(after) is not None
        # Where reading starts is fixed before joining the groups, and the log is
        # read once after joining: whatever is published in between is read then.
        if resume and usable:
            self.position = after
        else:
            self.position = await _log_call(event_log().last_id, self.clinic_id)
        self.groups_joined = groups_for(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.rechecker = asyncio.ensure_future(self._recheck())
        await self.send_json({"type": "auth.ok", "role": user.role, "last_id": self.position})
        if usable:
            await self._catch_up(resume=resume)
        else:
            await self._resync()  # not an id this server gives out

    async def _resync(self) -> None:
        """Tells the client to refetch, and carries on live from the log's end."""
        self.position = await _log_call(event_log().last_id, self.clinic_id)
        await self.send_json({"type": "resync", "last_id": self.position})

    async def _catch_up(self, *, resume: bool = False) -> None:
        """Sends, in order, the log's entries after ``position`` that this socket's
        groups may hear, and moves ``position`` past every entry read. One reader at
        a time (a ping and the recheck may both ask), so nothing is sent twice."""
        if self.position is None:
            return
        async with self.reading:
            await self._read_log(resume=resume)

    async def _read_log(self, *, resume: bool) -> None:
        try:
            entries = await _log_call(
                event_log().since, self.clinic_id, self.position, resume=resume
            )
        except Resync:
            await self._resync()
            return
        except RedisError:
            # Nothing is lost: the position stays, and the next event reads on from it.
            logger.warning("Live updates: the event log could not be read", exc_info=True)
            return
        for entry in entries:
            if entry.heard_by(self.groups_joined):
                await self.send_json({"id": entry.id, "event": entry.event, "data": entry.data})
            self.position = entry.id

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def disconnect(self, code):
        self._stop_tasks()
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def event_logged(self, message):
        if self.position is not None:
            await self._catch_up()

    async def session_ended(self, message):
        await self.close(code=UNAUTHORIZED)
