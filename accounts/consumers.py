"""``/ws/events/``: live updates for signed-in staff (contract §8).

The client sends ``{"type": "auth", "token": "<access token>"}`` first (tokens never
go in the URL). On success the socket joins the groups the user's role allows and
gets ``{"type": "auth.ok", "role": ...}``; a bad token, or silence for
``AUTH_TIMEOUT`` seconds, closes it with 4401. While open, the session is checked
every ``RECHECK_SECONDS``, and disabling the user closes it at once.
"""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import TokenError

from accounts.authentication import SessionJWTAuthentication
from accounts.models import Role, Session
from clinicflow import events

UNAUTHORIZED = 4401
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


class EventsConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self):
        self.groups_joined = []
        self.session_id = None
        await self.accept()
        self.watchdog = asyncio.ensure_future(self._close_if_silent())

    async def _close_if_silent(self):
        await asyncio.sleep(AUTH_TIMEOUT)
        if self.session_id is None:
            await self.close(code=UNAUTHORIZED)

    async def _recheck(self):
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            if not await _session_live(self.session_id):
                await self.close(code=UNAUTHORIZED)
                return

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
        self.groups_joined = groups_for(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.rechecker = asyncio.ensure_future(self._recheck())
        await self.send_json({"type": "auth.ok", "role": user.role})

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def disconnect(self, code):
        for task in (getattr(self, "watchdog", None), getattr(self, "rechecker", None)):
            if task is not None:
                task.cancel()
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def event_message(self, message):
        await self.send_json({"event": message["event"], "data": message["data"]})

    async def session_ended(self, message):
        await self.close(code=UNAUTHORIZED)
