"""The clinic's notification settings decide which live events staff get; owners'
counts go out whatever they say. Each setting is changed through
``PUT /api/settings/notifications`` and observed on real sockets."""

from datetime import date, time

import pytest
from asgiref.sync import async_to_sync

from tests.factories import AppointmentFactory
from tests.realtime.helpers import Sockets, action, bearer, book, drain, names, submit_intake

pytestmark = pytest.mark.django_db(transaction=True)

NOTIFICATIONS = "/api/settings/notifications"
PAST_MONDAY = date(2020, 1, 6)


def notify(api, admin, **changes) -> None:
    response = api(admin).put(NOTIFICATIONS, changes, format="json")
    assert response.status_code == 200, response.content
    assert response.json().items() >= changes.items()


def test_without_app_notifications_staff_hear_nothing_but_owners_get_counts(
    memory_layer, api, admin, doctor, owner, patient, template, token
):
    notify(api, admin, notify_via_app=False)
    admin_access, doctor_access, owner_access = token(admin), token(doctor), token(owner)
    client = bearer(admin_access)

    async def scenario():
        async with Sockets() as sockets:
            staff = [
                await sockets.signed_in(admin_access, "admin"),
                await sockets.signed_in(doctor_access, "doctor"),
            ]
            owners = await sockets.signed_in(owner_access, "owner")

            booked = await book(client, doctor.doctor, patient)
            await action(client, booked["id"], "confirm")
            await action(client, booked["id"], "cancel", {"reason": "patient_cancelled"})
            second = await book(client, doctor.doctor, patient, start_time="11:00")
            await submit_intake(client, second["id"], template)

            for ws in staff:
                assert await ws.receive_nothing(timeout=0.3)
            counts = await drain(owners)
            assert counts
            assert set(names(counts)) == {"metrics:updated"}
            assert counts[-1]["data"]["cancelled"] == 1

    async_to_sync(scenario)()


def test_without_notify_unconfirmed_new_bookings_are_not_announced(
    memory_layer, api, admin, doctor, owner, patient, token
):
    notify(api, admin, notify_unconfirmed=False)
    admin_access, doctor_access, owner_access = token(admin), token(doctor), token(owner)
    client = bearer(admin_access)

    async def scenario():
        async with Sockets() as sockets:
            staff = [
                await sockets.signed_in(admin_access, "admin"),
                await sockets.signed_in(doctor_access, "doctor"),
            ]
            owners = await sockets.signed_in(owner_access, "owner")

            booked = await book(client, doctor.doctor, patient)

            for ws in staff:
                assert await ws.receive_nothing(timeout=0.3)
            assert names(await drain(owners)) == ["metrics:updated"]

            await action(client, booked["id"], "confirm")

            for ws in staff:
                assert names(await drain(ws)) == ["appointment:updated"]

    async_to_sync(scenario)()


def test_without_notify_missing_intake_completed_intake_is_not_announced(
    memory_layer, api, admin, doctor, patient, template, token
):
    notify(api, admin, notify_missing_intake=False)
    admin_access, doctor_access = token(admin), token(doctor)
    client = bearer(admin_access)

    async def scenario():
        async with Sockets() as sockets:
            staff = [
                await sockets.signed_in(admin_access, "admin"),
                await sockets.signed_in(doctor_access, "doctor"),
            ]

            booked = await book(client, doctor.doctor, patient)
            await submit_intake(client, booked["id"], template)

            for ws in staff:
                heard = names(await drain(ws))
                assert "appointment:created" in heard
                assert "intake:completed" not in heard

    async_to_sync(scenario)()


@pytest.mark.parametrize(
    ("setting", "silenced", "announced"),
    [
        ("notify_cancellations", "patient_cancelled", "no_show"),
        ("notify_no_shows", "no_show", "patient_cancelled"),
    ],
)
def test_cancellations_and_no_shows_are_announced_each_by_its_own_setting(
    memory_layer, api, admin, doctor, patient, token, setting, silenced, announced
):
    notify(api, admin, **{setting: False})
    # No-shows are recorded after the start, cancellations well before it.
    visits = {
        "no_show": AppointmentFactory(
            doctor=doctor.doctor, patient=patient, scheduled_date=PAST_MONDAY, status="confirmed"
        ),
        "patient_cancelled": AppointmentFactory(
            doctor=doctor.doctor,
            patient=patient,
            scheduled_date=date(2030, 1, 7),
            start_time=time(15, 0),
        ),
    }
    admin_access, doctor_access = token(admin), token(doctor)
    client = bearer(admin_access)

    async def scenario():
        async with Sockets() as sockets:
            staff = [
                await sockets.signed_in(admin_access, "admin"),
                await sockets.signed_in(doctor_access, "doctor"),
            ]

            await action(client, visits[silenced].pk, "cancel", {"reason": silenced})

            for ws in staff:
                assert await ws.receive_nothing(timeout=0.3)

            await action(client, visits[announced].pk, "cancel", {"reason": announced})

            for ws in staff:
                heard = await drain(ws)
                assert names(heard) == ["appointment:cancelled"]
                assert heard[0]["data"]["appointment_id"] == str(visits[announced].pk)
                assert heard[0]["data"]["reason"] == announced

    async_to_sync(scenario)()
