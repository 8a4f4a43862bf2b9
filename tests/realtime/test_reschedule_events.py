"""A visit that moves to another doctor or day: everyone whose view it leaves or
enters hears of it. A doctor's schedule and an owner's day counts would otherwise
keep showing what is no longer true until they reload."""

from datetime import date

import pytest
from asgiref.sync import async_to_sync

from tests.realtime.helpers import MONDAY, Sockets, action, bearer, book, drain, names

pytestmark = pytest.mark.django_db(transaction=True)

TUESDAY = date(2030, 1, 8)


def test_a_visit_moved_to_another_doctor_is_announced_to_both_doctors(
    layer, admin, doctor, other_doctor, patient, token
):
    client = bearer(token(admin))
    first, second = token(doctor), token(other_doctor)

    async def scenario():
        async with Sockets() as sockets:
            losing = await sockets.signed_in(first, "doctor")
            gaining = await sockets.signed_in(second, "doctor")
            booked = await book(client, doctor.doctor, patient)
            await drain(losing)

            await action(
                client,
                booked["id"],
                "reschedule",
                {
                    "new_date": MONDAY.isoformat(),
                    "new_time": "11:00",
                    "new_doctor_id": str(other_doctor.doctor.id),
                },
            )

            gained = await drain(gaining)
            assert names(gained) == ["appointment:updated"]
            assert gained[0]["data"]["appointment"]["doctor_id"] == str(other_doctor.doctor.id)
            lost = await drain(losing)
            assert [m["data"]["appointment"]["id"] for m in lost] == [booked["id"]], (
                "the doctor who lost the visit was not told"
            )

    async_to_sync(scenario)()


def test_owners_get_the_counts_of_both_days_when_a_visit_moves(
    layer, admin, owner, doctor, patient, token
):
    client = bearer(token(admin))
    owner_access = token(owner)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(owner_access, "owner")
            booked = await book(client, doctor.doctor, patient)
            await drain(ws)

            await action(
                client,
                booked["id"],
                "reschedule",
                {"new_date": TUESDAY.isoformat(), "new_time": "10:00"},
            )

            latest = {m["data"]["date"]: m["data"]["total"] for m in await drain(ws)}
            assert latest == {MONDAY.isoformat(): 0, TUESDAY.isoformat(): 1}

    async_to_sync(scenario)()
