"""GET /api/schedule/grid (admins) and /api/schedule/my (doctors)."""

import math

import pytest

from tests.factories import DoctorFactory, PatientFactory
from tests.scheduling.helpers import (
    FRIDAY,
    MONDAY,
    appointment,
    assert_error,
    assert_field_error,
)

GRID = "/api/schedule/grid/"
MY = "/api/schedule/my/"
GRID_DOCTOR_KEYS = {"id", "name", "initials", "specialty", "color", "appointments"}
GRID_APPOINTMENT_KEYS = {
    "id",
    "time",
    "end_time",
    "duration",
    "patient_id",
    "patient_name",
    "status",
    "intake_status",
    "visit_type",
    "visit_category",
    "visit_reason",
}


def grid(client, day=MONDAY):
    return client.get(GRID, {"date": day.isoformat()} if day else {})


def my(client, day=MONDAY):
    return client.get(MY, {"date": day.isoformat()} if day else {})


def by_doctor(response) -> dict[str, list[str]]:
    return {d["name"]: [a["time"] for a in d["appointments"]] for d in response.json()["doctors"]}


# The admin's grid ------------------------------------------------------------------------------


def test_grid_shows_every_active_doctor_with_the_days_live_appointments(
    api, admin, doctor, other_doctor, patient, other_patient
):
    late = appointment(doctor, patient, at="15:00", duration=45, visit_reason="Rash")
    early = appointment(doctor, other_patient, at="09:30", status="confirmed")
    appointment(doctor, patient, at="11:00", status="cancelled")
    appointment(doctor, patient, at="12:00", status="no_show")
    appointment(doctor, patient, day=FRIDAY, at="10:00")
    done = appointment(other_doctor, patient, at="09:00", status="completed")

    response = grid(api(admin))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"date", "doctors"}
    assert body["date"] == "2030-01-07"
    assert by_doctor(response) == {"Dr. Chen": ["09:30", "15:00"], "Dr. Patel": ["09:00"]}
    chen = next(d for d in body["doctors"] if d["name"] == "Dr. Chen")
    assert set(chen) == GRID_DOCTOR_KEYS
    assert chen["id"] == str(doctor.doctor.id)
    assert (chen["specialty"], chen["color"]) == ("Family Medicine", "#3B82F6")
    row = chen["appointments"][1]
    assert set(row) == GRID_APPOINTMENT_KEYS
    assert row == {
        "id": str(late.id),
        "time": "15:00",
        "end_time": "15:45",
        "duration": 45,
        "patient_id": str(patient.id),
        "patient_name": "Ann Smith",
        "status": "unconfirmed",
        "intake_status": "not_sent",
        "visit_type": "in_clinic",
        "visit_category": "follow_up",
        "visit_reason": "Rash",
    }
    assert chen["appointments"][0]["id"] == str(early.id)
    patel = next(d for d in body["doctors"] if d["name"] == "Dr. Patel")
    assert patel["appointments"][0]["id"] == str(done.id)


def test_grid_lists_doctors_without_appointments(api, admin, doctor, other_doctor):
    assert by_doctor(grid(api(admin))) == {"Dr. Chen": [], "Dr. Patel": []}


def test_grid_leaves_out_inactive_doctors(api, admin, doctor, other_doctor, patient):
    appointment(other_doctor, patient, at="09:00")
    other_doctor.doctor.is_active = False
    other_doctor.doctor.save()

    assert by_doctor(grid(api(admin))) == {"Dr. Chen": []}


def test_grid_never_shows_another_clinic(api, admin, doctor, outsider_doctor, outsider_patient):
    appointment(outsider_doctor, outsider_patient, at="09:00")

    response = grid(api(admin))

    assert by_doctor(response) == {"Dr. Chen": []}
    assert "Uptown" not in response.content.decode()


def test_outsider_grid_shows_only_their_clinic(
    api, outsider_admin, doctor, patient, outsider_doctor
):
    appointment(doctor, patient, at="09:00")

    response = grid(api(outsider_admin))

    assert by_doctor(response) == {"Dr. Uptown": []}
    assert "Smith" not in response.content.decode()


def test_grid_defaults_to_today_in_the_clinic(api, admin, doctor, patient, freeze):
    freeze(MONDAY, "20:30")  # Tuesday in UTC
    appointment(doctor, patient, at="10:00")

    response = grid(api(admin), day=None)

    assert response.json()["date"] == "2030-01-07"
    assert by_doctor(response) == {"Dr. Chen": ["10:00"]}


@pytest.mark.parametrize("path", ["/api/schedule/grid", "/api/schedule/grid/"])
def test_grid_answers_with_and_without_a_trailing_slash(api, admin, path):
    assert api(admin).get(path, {"date": "2030-01-07"}).status_code == 200


@pytest.mark.parametrize("role", ["doctor", "owner"])
def test_only_admins_see_the_grid(api, request, role):
    assert_error(grid(api(request.getfixturevalue(role))), 403, "forbidden_role")


def test_anonymous_cannot_see_the_grid(anon):
    assert_error(grid(anon), 401, "not_authenticated")


@pytest.mark.parametrize("value", ["2030-02-30", "monday", "07/01/2030"])
def test_grid_with_a_bad_date_names_it(api, admin, value):
    assert_field_error(api(admin).get(GRID, {"date": value}), "date")


@pytest.mark.parametrize(("role", "path"), [("admin", GRID), ("doctor", MY)])
def test_empty_date_param_is_400(api, request, role, path):
    """``?date=`` is a mistake to name, not a way of saying today (leave it out)."""
    response = api(request.getfixturevalue(role)).get(f"{path}?date=")

    assert_field_error(response, "date")


# A doctor's own day --------------------------------------------------------------------------


def test_doctor_sees_their_own_day(api, doctor, other_doctor, patient, other_patient):
    patient.flags = {"vip": True}
    patient.save()
    second = appointment(doctor, patient, at="14:00", meeting_link="https://meet.example.org/x")
    first = appointment(doctor, other_patient, at="09:00")
    appointment(doctor, patient, at="11:00", status="cancelled")
    appointment(doctor, patient, day=FRIDAY, at="10:00")
    appointment(other_doctor, patient, at="10:00")

    response = my(api(doctor))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"date", "appointments"}
    assert body["date"] == "2030-01-07"
    assert [a["id"] for a in body["appointments"]] == [str(first.id), str(second.id)]
    row = body["appointments"][1]
    assert row["patient"] == {
        "id": str(patient.id),
        "name": "Ann Smith",
        "date_of_birth": "1980-05-17",
        "flags": {"vip": True},
    }
    assert row["meeting_link"] == "https://meet.example.org/x"
    assert (row["time"], row["end_time"]) == ("14:00", "14:30")
    assert "patient_name" not in row


def test_my_day_defaults_to_today_in_the_clinic(api, doctor, patient, freeze):
    freeze(MONDAY, "20:30")
    appointment(doctor, patient, at="10:00")

    response = my(api(doctor), day=None)

    assert response.json()["date"] == "2030-01-07"
    assert len(response.json()["appointments"]) == 1


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_only_doctors_have_a_day_of_their_own(api, request, role):
    assert_error(my(api(request.getfixturevalue(role))), 403, "forbidden_role")


def test_anonymous_has_no_day(anon):
    assert_error(my(anon), 401, "not_authenticated")


def test_my_day_with_a_bad_date_names_it(api, doctor):
    assert_field_error(api(doctor).get(MY, {"date": "2030-13-01"}), "date")


@pytest.mark.parametrize("path", ["/api/schedule/my", "/api/schedule/my/"])
def test_my_day_answers_with_and_without_a_trailing_slash(api, doctor, path):
    assert api(doctor).get(path, {"date": "2030-01-07"}).status_code == 200


# Query counts: constant, whatever the number of doctors and appointments ------------------------

SIZES = pytest.mark.parametrize(("doctors", "per_doctor"), [(2, 3), (6, 20)])
GRID_QUERIES = 3  # session, doctors (with settings), the day's appointments (with patients)
AVAILABLE_QUERIES = 3  # session, doctor (with settings and clinic settings), busy times
MY_QUERIES = 2  # session, the day's appointments (with patients)


def populate(clinic, doctors: int, per_doctor: int):
    made = []
    for _ in range(doctors):
        doc = DoctorFactory(clinic=clinic)
        for i in range(per_doctor):
            hour, minute = divmod(9 * 60 + 15 * i, 60)
            made.append(
                appointment(
                    doc,
                    PatientFactory(clinic=clinic),
                    at=f"{hour:02d}:{minute:02d}",
                    duration=15,
                )
            )
    return made


@SIZES
def test_grid_queries_do_not_grow(
    api, admin, clinic, django_assert_max_num_queries, doctors, per_doctor
):
    populate(clinic, doctors, per_doctor)
    client = api(admin)

    with django_assert_max_num_queries(GRID_QUERIES):
        response = grid(client)

    assert len(response.json()["doctors"]) == doctors
    assert sum(len(d["appointments"]) for d in response.json()["doctors"]) == doctors * per_doctor


@SIZES
def test_available_queries_do_not_grow(
    api, admin, clinic, django_assert_max_num_queries, doctors, per_doctor
):
    made = populate(clinic, doctors, per_doctor)
    client = api(admin)
    params = {"doctor_id": str(made[0].doctor_id), "date": "2030-01-07"}

    with django_assert_max_num_queries(AVAILABLE_QUERIES):
        response = client.get("/api/schedule/available/", params)

    assert response.status_code == 200, response.content
    taken_slots = math.ceil(per_doctor * 15 / 30)
    assert len(response.json()["slots"]) == 16 - taken_slots


@SIZES
def test_my_day_queries_do_not_grow(
    api, clinic, doctor, django_assert_max_num_queries, doctors, per_doctor
):
    populate(clinic, doctors, per_doctor)
    for i in range(per_doctor):
        hour, minute = divmod(9 * 60 + 15 * i, 60)
        appointment(
            doctor, PatientFactory(clinic=clinic), at=f"{hour:02d}:{minute:02d}", duration=15
        )
    client = api(doctor)

    with django_assert_max_num_queries(MY_QUERIES):
        response = my(client)

    assert len(response.json()["appointments"]) == per_doctor
