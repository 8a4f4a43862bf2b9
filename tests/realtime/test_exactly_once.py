"""One change, one event per audience: what a transaction announces about one
appointment (or one day's counts) goes out once, after commit, with its final
state."""

import pytest
from asgiref.sync import async_to_sync

from tests.realtime.helpers import (
    Sockets,
    action,
    bearer,
    book,
    drain,
    names,
    submit_intake,
    without_ids,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_booking_that_sends_the_intake_link_is_one_created_event(
    layer, admin, owner, doctor, patient, template, token
):
    client = bearer(token(admin))
    admin_access, owner_access = token(admin), token(owner)

    async def scenario():
        async with Sockets() as sockets:
            desk = await sockets.signed_in(admin_access, "admin")
            counts = await sockets.signed_in(owner_access, "owner")

            booked = await book(client, doctor.doctor, patient, intake_path="send_now")

            heard = without_ids(await drain(desk))
            assert names(heard) == ["appointment:created"]
            assert heard[0]["data"]["appointment"]["id"] == booked["id"]
            assert heard[0]["data"]["appointment"]["intake_status"] == "sent"
            assert names(without_ids(await drain(counts))) == ["metrics:updated"]

    async_to_sync(scenario)()


def test_a_reschedule_to_another_day_updates_both_days_counts_once_each(
    layer, admin, owner, doctor, patient, token
):
    client = bearer(token(admin))
    owner_access = token(owner)

    async def scenario():
        async with Sockets() as sockets:
            booked = await book(client, doctor.doctor, patient)
            counts = await sockets.signed_in(owner_access, "owner")

            await action(
                client,
                booked["id"],
                "reschedule",
                {"new_date": "2030-01-08", "new_time": "10:00"},
            )

            heard = without_ids(await drain(counts))
            assert sorted(m["data"]["date"] for m in heard) == ["2030-01-07", "2030-01-08"]

    async_to_sync(scenario)()


def test_a_submitted_intake_is_one_intake_completed_then_its_summary_an_update(
    layer, admin, doctor, patient, template, token
):
    """The patient's submit says intake:completed once; the summary written after it
    (inline here, by the worker in production) is an appointment:updated, not a
    second intake:completed."""
    client = bearer(token(admin))
    admin_access = token(admin)

    async def scenario():
        async with Sockets() as sockets:
            booked = await book(client, doctor.doctor, patient)
            desk = await sockets.signed_in(admin_access, "admin")

            await submit_intake(client, booked["id"], template)

            heard = without_ids(await drain(desk))
            about_it = [
                m
                for m in heard
                if booked["id"]
                in (m["data"].get("appointment_id"), m["data"].get("appointment", {}).get("id"))
            ]
            assert names(about_it) == [
                "appointment:updated",  # the link was sent
                "intake:completed",
                "appointment:updated",  # the summary is ready
            ]
            assert about_it[1]["data"] == {"appointment_id": booked["id"], "has_summary": False}
            assert about_it[2]["data"]["appointment"]["intake_status"] == "completed"

    async_to_sync(scenario)()


def test_intake_completed_by_hand_is_one_appointment_updated(layer, admin, doctor, patient, token):
    client = bearer(token(admin))
    admin_access = token(admin)

    async def scenario():
        async with Sockets() as sockets:
            booked = await book(client, doctor.doctor, patient, intake_path="send_later")
            desk = await sockets.signed_in(admin_access, "admin")

            await action(client, booked["id"], "intake-complete")

            heard = without_ids(await drain(desk))
            assert names(heard) == ["appointment:updated"]
            assert heard[0]["data"]["appointment"]["intake_status"] == "completed"

    async_to_sync(scenario)()
