"""Reconnecting without missing anything: every event carries an id from its
clinic's log, a socket that comes back with ``after`` first gets exactly the
events it missed that its role may hear, in order, then the live ones with no
gap and no repeat, and a position the log no longer holds gets ``resync``.
Each test runs on the in-memory layer and, with Redis, on channels-redis."""

import time

import pytest
from asgiref.sync import async_to_sync

from clinicflow.event_log import parse_id
from tests.realtime.helpers import Sockets, action, bearer, book, drain, names, without_ids

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reconnecting_admin_gets_exactly_what_they_missed_in_order(
    layer, admin, doctor, patient, token
):
    access = token(admin)
    client = bearer(access)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(access, "admin")
            first = await book(client, doctor.doctor, patient, start_time="09:00")
            seen = without_ids(heard := await drain(ws))
            assert names(seen) == ["appointment:created"]
            last_seen = heard[-1]["id"]
            await ws.disconnect()

            # Missed while away: a booking and a cancellation.
            missed = await book(client, doctor.doctor, patient, start_time="10:00")
            await action(client, first["id"], "cancel", {"reason": "patient_cancelled"})

            back = await sockets.signed_in(access, "admin", after=last_seen)
            replayed = await drain(back)
            assert names(without_ids(replayed)) == ["appointment:created", "appointment:cancelled"]
            assert replayed[0]["data"]["appointment"]["id"] == missed["id"]
            assert replayed[1]["data"]["appointment_id"] == first["id"]
            assert parse_id(replayed[0]["id"]) > parse_id(last_seen)

            # Then live, continuing the same order, nothing repeated.
            await action(client, missed["id"], "confirm")
            live = await drain(back)
            assert names(without_ids(replayed + live)) == [
                "appointment:created",
                "appointment:cancelled",
                "appointment:updated",
            ]

    async_to_sync(scenario)()


def test_a_doctors_resume_shows_only_their_own_appointments(
    layer, admin, doctor, other_doctor, patient, token
):
    client = bearer(token(admin))
    mine = token(doctor)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(mine, "doctor")
            await ws.disconnect()
            theirs = await book(client, other_doctor.doctor, patient, start_time="09:00")
            own = await book(client, doctor.doctor, patient, start_time="10:00")
            await action(client, theirs["id"], "confirm")

            back = await sockets.signed_in(mine, "doctor", after=ws.last_id)
            replayed = without_ids(await drain(back))

            assert names(replayed) == ["appointment:created"]
            assert replayed[0]["data"]["appointment"]["id"] == own["id"]

    async_to_sync(scenario)()


def test_an_owners_resume_carries_counts_only(layer, admin, owner, doctor, patient, token):
    client = bearer(token(admin))
    access = token(owner)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(access, "owner")
            await ws.disconnect()
            await book(client, doctor.doctor, patient, start_time="09:00")

            back = await sockets.signed_in(access, "owner", after=ws.last_id)
            replayed = without_ids(await drain(back))

            assert names(replayed) == ["metrics:updated"]
            assert "Zebulon" not in str(replayed)
            assert str(patient.id) not in str(replayed)

    async_to_sync(scenario)()


@pytest.mark.parametrize("after", ["yesterday", "", 42, None, "0-0", "99999999999999-0"])
def test_a_position_the_log_never_gave_gets_resync(layer, admin, doctor, patient, token, after):
    access = token(admin)
    client = bearer(access)

    async def scenario():
        async with Sockets() as sockets:
            await book(client, doctor.doctor, patient, start_time="09:00")
            ws = await sockets.signed_in(access, "admin", after=after)

            told = await ws.receive_json_from(timeout=3)
            assert told["type"] == "resync"
            # And live from there on.
            await book(client, doctor.doctor, patient, start_time="10:00")
            assert names(without_ids(await drain(ws))) == ["appointment:created"]

    async_to_sync(scenario)()


def test_a_position_older_than_the_window_gets_resync(
    layer, settings, admin, doctor, patient, token
):
    settings.LIVE_EVENTS_WINDOW_SECONDS = 1
    access = token(admin)
    client = bearer(access)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(access, "admin")
            await book(client, doctor.doctor, patient, start_time="09:00")
            old = (await drain(ws))[-1]["id"]
            await ws.disconnect()
            time.sleep(1.2)
            await book(client, doctor.doctor, patient, start_time="10:00")

            back = await sockets.signed_in(access, "admin", after=old)

            assert (await back.receive_json_from(timeout=3))["type"] == "resync"
            assert await back.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()


def test_more_missed_than_the_replay_limit_gets_resync(
    layer, settings, admin, doctor, patient, token
):
    settings.LIVE_EVENTS_MAX_REPLAY = 2
    access = token(admin)
    client = bearer(access)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(access, "admin")
            await book(client, doctor.doctor, patient, start_time="09:00")
            old = (await drain(ws))[-1]["id"]
            await ws.disconnect()
            for start in ("10:00", "11:00", "12:00"):
                await book(client, doctor.doctor, patient, start_time=start)

            back = await sockets.signed_in(access, "admin", after=old)

            assert (await back.receive_json_from(timeout=3))["type"] == "resync"

    async_to_sync(scenario)()
