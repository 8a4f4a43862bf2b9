"""Who hears what on ``/ws/events/``: admins every event of their clinic, a doctor
only events about their own appointments, owners only ``metrics:updated`` counts,
and nobody anything of another clinic. Each test runs on the in-memory layer and,
with Redis, on channels-redis."""

import pytest
from asgiref.sync import async_to_sync

from tests.factories import DoctorFactory, PatientFactory, UserFactory
from tests.realtime.helpers import (
    ANSWERS,
    MONDAY,
    STATUSES,
    Sockets,
    action,
    bearer,
    book,
    call,
    drain,
    names,
    submit_intake,
    text,
    without_ids,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def lifecycle(admin_client, doctor, patient, template, *, at="10:00") -> list[str]:
    """Books, confirms, completes intake and cancels one visit; returns its id and
    the id of a second, intake-completed visit."""
    first = await book(admin_client, doctor, patient, start_time=at)
    await action(admin_client, first["id"], "confirm")
    await action(admin_client, first["id"], "cancel", {"reason": "patient_cancelled"})
    second = await book(admin_client, doctor, patient, start_time="11:00")
    await submit_intake(admin_client, second["id"], template)
    return [first["id"], second["id"]]


def test_admin_hears_every_event_of_the_clinic(layer, admin, doctor, patient, template, token):
    access = token(admin)
    client = bearer(access)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(access, "admin")

            booked = await book(client, doctor.doctor, patient)
            created = await drain(ws)
            await action(client, booked["id"], "confirm")
            updated = await drain(ws)
            await action(client, booked["id"], "cancel", {"reason": "patient_cancelled"})
            cancelled = await drain(ws)
            second = await book(client, doctor.doctor, patient, start_time="11:00")
            await drain(ws)
            await submit_intake(client, second["id"], template)
            intake = await drain(ws)

            assert without_ids(created) == [
                {
                    "event": "appointment:created",
                    "data": {
                        "appointment": {
                            "id": booked["id"],
                            "doctor_id": str(doctor.doctor.id),
                            "patient_id": str(patient.id),
                            "patient_name": "Zebulon Quartermaine",
                            "scheduled_date": MONDAY.isoformat(),
                            "start_time": "10:00",
                            "end_time": "10:30",
                            "status": "unconfirmed",
                            "intake_status": "skipped",
                            "visit_type": "in_clinic",
                        }
                    },
                }
            ]
            assert names(updated) == ["appointment:updated"]
            assert updated[0]["data"]["appointment"]["id"] == booked["id"]
            assert updated[0]["data"]["appointment"]["status"] == "confirmed"
            assert without_ids(cancelled) == [
                {
                    "event": "appointment:cancelled",
                    "data": {
                        "appointment_id": booked["id"],
                        "status": "cancelled",
                        "reason": "patient_cancelled",
                    },
                }
            ]
            completed = [m for m in intake if m["event"] == "intake:completed"]
            assert without_ids(completed)[0] == {
                "event": "intake:completed",
                "data": {"appointment_id": second["id"], "has_summary": False},
            }
            assert "Zorblax" not in text(intake)

    async_to_sync(scenario)()


def test_a_doctor_hears_only_their_own_appointments(
    layer, admin, doctor, other_doctor, patient, template, token
):
    admin_access, mine, theirs = token(admin), token(doctor), token(other_doctor)
    client = bearer(admin_access)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(mine, "doctor")
            other = await sockets.signed_in(theirs, "doctor")

            ids = await lifecycle(client, other_doctor.doctor, patient, template)

            assert await ws.receive_nothing(timeout=0.3)
            heard = await drain(other)
            assert {
                "appointment:created",
                "appointment:updated",
                "appointment:cancelled",
                "intake:completed",
            } <= set(names(heard))

            booked = await book(client, doctor.doctor, patient, start_time="14:00")

            own = await drain(ws)
            assert names(own) == ["appointment:created"]
            assert own[0]["data"]["appointment"]["id"] == booked["id"]
            assert not set(ids) & {m["data"]["appointment"]["id"] for m in own}
            assert await other.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()


def test_an_owner_hears_only_counts_without_patient_data(
    layer, admin, owner, doctor, patient, template, token
):
    admin_access, owner_access = token(admin), token(owner)
    client = bearer(admin_access)

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(owner_access, "owner")

            ids = await lifecycle(client, doctor.doctor, patient, template)
            heard = await drain(ws)

            assert heard, "the owner heard nothing"
            assert set(names(heard)) == {"metrics:updated"}
            for message in heard:
                assert set(message) == {"id", "event", "data"}
                assert set(message["data"]) == {"date", "total", *STATUSES}
                assert message["data"]["date"] == MONDAY.isoformat()
                counts = [v for k, v in message["data"].items() if k != "date"]
                assert all(isinstance(v, int) for v in counts), message
            leaked = text(heard).lower()
            for secret in (
                patient.first_name,
                patient.last_name,
                patient.email,
                patient.phone,
                str(patient.id),
                *ids,
                *(str(v) for v in ANSWERS.values() if isinstance(v, str)),
            ):
                assert secret.lower() not in leaked, secret
            metrics = await call(
                bearer(owner_access).get,
                "/api/metrics/appointments",
                {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()},
            )
            day = metrics.json()["days"][0]
            assert heard[-1]["data"] == {**day, "date": MONDAY.isoformat()}
            assert (day["total"], day["cancelled"], day["unconfirmed"]) == (2, 1, 1)

    async_to_sync(scenario)()


def test_another_clinics_staff_hear_nothing(
    layer, admin, doctor, patient, template, outsider_admin, other_clinic, token
):
    outsider_owner = UserFactory(clinic=other_clinic, role="owner", email="owner@uptown.test")
    outsider_doctor = DoctorFactory(clinic=other_clinic, name="Dr. Uptown").user
    listeners = [(token(u), u.role) for u in (outsider_admin, outsider_owner, outsider_doctor)]
    client = bearer(token(admin))

    async def scenario():
        async with Sockets() as sockets:
            sockets_of_others = [await sockets.signed_in(t, role) for t, role in listeners]

            await lifecycle(client, doctor.doctor, patient, template)

            for ws in sockets_of_others:
                assert await ws.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()


def test_an_admin_hears_nothing_of_another_clinic(
    layer, admin, outsider_admin, other_clinic, token
):
    theirs = DoctorFactory(clinic=other_clinic, name="Dr. Uptown")
    their_patient = PatientFactory(clinic=other_clinic)
    ours = token(admin)
    client = bearer(token(outsider_admin))

    async def scenario():
        async with Sockets() as sockets:
            ws = await sockets.signed_in(ours, "admin")

            booked = await book(client, theirs, their_patient)
            await action(client, booked["id"], "confirm")

            assert await ws.receive_nothing(timeout=0.3)

    async_to_sync(scenario)()
