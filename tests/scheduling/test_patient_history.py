"""A patient's appointments as the scheduling engine shows them: /history,
/cancellations and the needs_attention filter of /api/patients."""

import pytest

from tests.factories import (
    CancellationFactory,
    DoctorFactory,
    DoctorPatientRelationshipFactory,
    PatientFactory,
)
from tests.scheduling.helpers import (
    FRIDAY,
    MONDAY,
    TUESDAY,
    appointment,
    assert_error,
    assert_field_error,
    clinic_rules,
)


def history_url(patient) -> str:
    return f"/api/patients/{patient.id}/history/"


def cancellations_url(patient) -> str:
    return f"/api/patients/{patient.id}/cancellations/"


@pytest.fixture
def visits(doctor, other_doctor, patient):
    """Ann Smith: Friday with Dr. Chen (completed), Friday with Dr. Patel (completed),
    Monday with Dr. Patel (cancelled), Monday with Dr. Chen (no-show), Tuesday with
    Dr. Chen (booked)."""
    made = {
        "fri_chen": appointment(doctor, patient, day=FRIDAY, at="09:00", status="completed"),
        "fri_patel": appointment(other_doctor, patient, day=FRIDAY, at="11:00", status="completed"),
        "mon_patel": appointment(other_doctor, patient, day=MONDAY, at="09:00", status="cancelled"),
        "mon_chen": appointment(doctor, patient, day=MONDAY, at="11:00", status="no_show"),
        "tue_chen": appointment(doctor, patient, day=TUESDAY, at="10:00"),
    }
    made["patel_cancel"] = CancellationFactory(appointment=made["mon_patel"], reason_note="Flu")
    made["chen_no_show"] = CancellationFactory(
        appointment=made["mon_chen"], cancellation_type="no_show"
    )
    DoctorPatientRelationshipFactory(doctor=doctor.doctor, patient=patient)
    DoctorPatientRelationshipFactory(doctor=other_doctor.doctor, patient=patient)
    return made


# /history ------------------------------------------------------------------------------------


def test_admin_sees_every_visit_newest_first(api, admin, patient, visits):
    response = api(admin).get(history_url(patient))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"patient_id", "visits", "cancellation_count", "no_show_count"}
    assert body["patient_id"] == str(patient.id)
    assert [v["id"] for v in body["visits"]] == [
        str(visits[k].id) for k in ("tue_chen", "mon_chen", "mon_patel", "fri_patel", "fri_chen")
    ]
    assert set(body["visits"][0]) == {
        "id",
        "date",
        "time",
        "duration",
        "doctor",
        "status",
        "visit_type",
        "visit_category",
        "visit_reason",
    }
    assert (body["visits"][0]["date"], body["visits"][0]["time"]) == ("2030-01-08", "10:00")
    assert (body["cancellation_count"], body["no_show_count"]) == (1, 1)


def test_doctor_sees_only_their_visits_with_the_patient(api, doctor, patient, visits):
    response = api(doctor).get(history_url(patient))

    assert response.status_code == 200, response.content
    body = response.json()
    assert [v["id"] for v in body["visits"]] == [
        str(visits[k].id) for k in ("tue_chen", "mon_chen", "fri_chen")
    ]
    assert {v["doctor"]["name"] for v in body["visits"]} == {"Dr. Chen"}
    assert (body["cancellation_count"], body["no_show_count"]) == (0, 1)


def test_doctor_without_a_link_to_the_patient_gets_404(api, clinic, patient, other_patient):
    stranger = DoctorFactory(clinic=clinic).user
    appointment(stranger, other_patient, day=MONDAY, at="09:00")

    assert_error(api(stranger).get(history_url(patient)), 404)


def test_owner_gets_403_on_history(api, owner, patient, visits):
    assert_error(api(owner).get(history_url(patient)), 403, "forbidden_role")


def test_outsider_gets_404_on_our_patients_history(api, outsider_admin, patient, visits):
    response = api(outsider_admin).get(history_url(patient))

    assert_error(response, 404)
    assert "Chen" not in response.content.decode()


def test_anonymous_gets_401_on_history(anon, patient):
    assert_error(anon.get(history_url(patient)), 401, "not_authenticated")


def test_history_answers_without_a_trailing_slash(api, admin, patient):
    assert api(admin).get(f"/api/patients/{patient.id}/history").status_code == 200


# /cancellations -----------------------------------------------------------------------------


def test_admin_sees_every_cancellation_of_the_patient(api, admin, patient, visits, other_patient):
    CancellationFactory(
        appointment=appointment(
            visits["tue_chen"].doctor, other_patient, day=TUESDAY, at="15:00", status="cancelled"
        )
    )

    response = api(admin).get(cancellations_url(patient))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert {row["id"] for row in body["results"]} == {
        str(visits["patel_cancel"].id),
        str(visits["chen_no_show"].id),
    }
    row = next(r for r in body["results"] if r["id"] == str(visits["patel_cancel"].id))
    assert row["appointment_id"] == str(visits["mon_patel"].id)
    assert row["cancellation_type"] == "patient_cancelled"
    assert row["reason_note"] == "Flu"
    assert (row["original_date"], row["original_time"]) == ("2030-01-07", "09:00")
    assert row["patient"]["id"] == str(patient.id)
    assert row["doctor"]["name"] == "Dr. Patel"


def test_doctor_sees_only_cancellations_of_their_appointments(api, doctor, patient, visits):
    response = api(doctor).get(cancellations_url(patient))

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [str(visits["chen_no_show"].id)]


def test_cancellations_are_paginated(api, admin, patient, visits):
    response = api(admin).get(cancellations_url(patient), {"page_size": 1})

    assert response.json()["count"] == 2
    assert len(response.json()["results"]) == 1
    assert response.json()["next"] is not None


def test_owner_gets_403_on_cancellations(api, owner, patient):
    assert_error(api(owner).get(cancellations_url(patient)), 403, "forbidden_role")


def test_outsider_gets_404_on_our_patients_cancellations(api, outsider_admin, patient, visits):
    assert_error(api(outsider_admin).get(cancellations_url(patient)), 404)


def test_anonymous_gets_401_on_cancellations(anon, patient):
    assert_error(anon.get(cancellations_url(patient)), 401, "not_authenticated")


def test_a_cancellation_through_the_api_shows_in_the_history(api, admin, patient, visits):
    client = api(admin)
    client.post(
        f"/api/appointments/{visits['tue_chen'].id}/cancel/", {"reason": "patient_cancelled"}
    )

    history = client.get(history_url(patient)).json()
    cancellations = client.get(cancellations_url(patient)).json()

    assert history["cancellation_count"] == 2
    assert history["visits"][0]["status"] == "cancelled"
    assert cancellations["count"] == 3


# ?needs_attention ---------------------------------------------------------------------------


def flagged(client, value="true") -> set[str]:
    response = client.get("/api/patients/", {"needs_attention": value})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def ward(clinic, doctor, other_doctor, freeze):
    """Seen from Monday 12:00: patients in every situation the filter separates."""
    freeze(MONDAY, "12:00")
    people = {
        name: PatientFactory(clinic=clinic, first_name=name)
        for name in (
            "unconfirmed_today",
            "unconfirmed_earlier_today",
            "unconfirmed_tomorrow",
            "confirmed_no_intake",
            "confirmed_intake_sent",
            "confirmed_intake_done",
            "confirmed_intake_skipped",
            "unconfirmed_last_week",
            "cancelled_tomorrow",
            "patels_unconfirmed",
            "no_appointments",
        )
    }
    for p in people.values():
        DoctorPatientRelationshipFactory(doctor=doctor.doctor, patient=p)
    done = {"intake_status": "completed"}
    appointment(doctor, people["unconfirmed_today"], at="13:00", **done)
    # Begun three hours ago: the queue no longer lists it, so neither does the filter.
    appointment(doctor, people["unconfirmed_earlier_today"], at="09:00", **done)
    appointment(doctor, people["unconfirmed_tomorrow"], day=TUESDAY, at="09:00", **done)
    appointment(doctor, people["confirmed_no_intake"], day=TUESDAY, at="10:00", status="confirmed")
    appointment(
        doctor,
        people["confirmed_intake_sent"],
        day=TUESDAY,
        at="11:00",
        status="confirmed",
        intake_status="sent",
    )
    appointment(
        doctor, people["confirmed_intake_done"], day=TUESDAY, at="12:00", status="confirmed", **done
    )
    appointment(
        doctor,
        people["confirmed_intake_skipped"],
        day=TUESDAY,
        at="13:00",
        status="confirmed",
        intake_status="skipped",
    )
    appointment(doctor, people["unconfirmed_last_week"], day=FRIDAY, at="09:00", **done)
    appointment(doctor, people["cancelled_tomorrow"], day=TUESDAY, at="14:00", status="cancelled")
    appointment(other_doctor, people["patels_unconfirmed"], day=TUESDAY, at="09:00", **done)
    return {name: str(p.id) for name, p in people.items()}


def test_needs_attention_finds_unconfirmed_visits_and_missing_intake(api, admin, ward):
    assert flagged(api(admin)) == {
        ward[name]
        for name in (
            "unconfirmed_today",
            "unconfirmed_tomorrow",
            "confirmed_no_intake",
            "confirmed_intake_sent",
            "patels_unconfirmed",
        )
    }


def test_needs_attention_false_is_everyone_else(api, admin, ward):
    assert flagged(api(admin), "false") == {
        ward[name]
        for name in (
            "unconfirmed_earlier_today",
            "confirmed_intake_done",
            "confirmed_intake_skipped",
            "unconfirmed_last_week",
            "cancelled_tomorrow",
            "no_appointments",
        )
    }


def test_missing_intake_needs_no_attention_where_the_clinic_does_not_require_it(
    api, admin, clinic, ward
):
    clinic_rules(clinic, intake_required=False)

    assert flagged(api(admin)) == {
        ward[name] for name in ("unconfirmed_today", "unconfirmed_tomorrow", "patels_unconfirmed")
    }


def test_a_doctors_needs_attention_counts_only_their_appointments(api, doctor, ward):
    # Dr. Chen is linked to every patient, but Dr. Patel's unconfirmed visit is not his.
    assert flagged(api(doctor)) == {
        ward[name]
        for name in (
            "unconfirmed_today",
            "unconfirmed_tomorrow",
            "confirmed_no_intake",
            "confirmed_intake_sent",
        )
    }


def test_needs_attention_never_crosses_clinics(api, outsider_admin, ward):
    assert flagged(api(outsider_admin)) == set()


def test_needs_attention_with_a_bad_value_names_it(api, admin):
    assert_field_error(
        api(admin).get("/api/patients/", {"needs_attention": "perhaps"}), "needs_attention"
    )
