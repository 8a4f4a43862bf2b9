"""GET /api/patients/:id/ai-interactions: the AI's calls and messages with a patient.
Admins see all of them with transcripts; a doctor only those about their own
appointments with a patient they see; owners none."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from patients.models import AIInteraction
from tests.factories import (
    AIInteractionFactory,
    AppointmentFactory,
    DoctorFactory,
    DoctorPatientRelationshipFactory,
    PatientFactory,
)

MONDAY = date(2030, 1, 7)
NOW = datetime(2030, 1, 6, 15, 0, tzinfo=UTC)
ITEM_KEYS = {
    "id",
    "interaction_type",
    "direction",
    "channel",
    "started_at",
    "duration_seconds",
    "outcome",
    "summary",
    "transcript",
    "appointment_id",
    "linked_appointment",
}

# Session auth (one join), the patient, count, page (appointment joined in).
AI_INTERACTION_QUERIES = 4


def url(patient) -> str:
    return f"/api/patients/{getattr(patient, 'pk', patient)}/ai-interactions/"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}
    if code is not None:
        assert body["code"] == code


@pytest.fixture
def patient(clinic, doctor, other_doctor):
    """Ann Smith, seen by Dr. Chen and Dr. Patel."""
    ann = PatientFactory(clinic=clinic, first_name="Ann", last_name="Smith")
    for who in (doctor, other_doctor):
        DoctorPatientRelationshipFactory(doctor=who.doctor, patient=ann)
    return ann


def visit(doctor, patient, at="10:00", **kwargs):
    return AppointmentFactory(
        doctor=doctor.doctor,
        patient=patient,
        scheduled_date=MONDAY,
        start_time=time.fromisoformat(at),
        **kwargs,
    )


def interaction(patient, appointment=None, *, ago=timedelta(hours=1), **kwargs) -> AIInteraction:
    return AIInteractionFactory(
        patient=patient, appointment=appointment, started_at=NOW - ago, **kwargs
    )


@pytest.fixture
def calls(clinic, doctor, other_doctor, patient):
    chens = visit(doctor, patient, "10:00", status="confirmed")
    patels = visit(other_doctor, patient, "11:00")
    someone_else = PatientFactory(clinic=clinic)
    return {
        "chen_call": interaction(
            patient,
            chens,
            ago=timedelta(hours=1),
            summary="Confirmed Monday's visit.",
            transcript="AI: Hello Ann, calling to confirm Monday at 10:00. Ann: Yes.",
        ),
        "patel_sms": interaction(
            patient,
            patels,
            ago=timedelta(hours=2),
            interaction_type=AIInteraction.Type.MESSAGE,
            channel=AIInteraction.Channel.SMS,
            outcome=AIInteraction.Outcome.NO_ANSWER,
            transcript="AI: Reply YES to confirm your visit with Dr. Patel.",
        ),
        "unlinked": interaction(
            patient,
            None,
            ago=timedelta(hours=3),
            direction=AIInteraction.Direction.INBOUND,
            outcome=AIInteraction.Outcome.QUESTION_ANSWERED,
            transcript="Ann: Where do I park? AI: Behind the building.",
        ),
        "chen_old": interaction(patient, chens, ago=timedelta(days=10)),
        "someone_elses": interaction(someone_else, visit(doctor, someone_else, "12:00")),
    }


def test_admin_sees_every_interaction_with_the_patient_newest_first(api, admin, calls):
    response = api(admin).get(url(calls["chen_call"].patient))

    assert ids(response) == [
        str(calls[k].pk) for k in ("chen_call", "patel_sms", "unlinked", "chen_old")
    ]
    body = response.json()
    assert body["count"] == 4
    assert body["next"] is None
    assert body["previous"] is None
    assert all(set(row) == ITEM_KEYS for row in body["results"])
    assert [row["transcript"] for row in body["results"][:3]] == [
        calls["chen_call"].transcript,
        calls["patel_sms"].transcript,
        calls["unlinked"].transcript,
    ]


def test_interaction_rows_carry_the_call_and_its_visit(api, admin, calls):
    chens_visit = calls["chen_call"].appointment

    call, sms, unlinked, _ = api(admin).get(url(chens_visit.patient)).json()["results"]

    assert call == {
        "id": str(calls["chen_call"].pk),
        "interaction_type": "call",
        "direction": "outbound",
        "channel": "phone",
        "started_at": "2030-01-06T14:00:00Z",
        "duration_seconds": 95,
        "outcome": "confirmed",
        "summary": "Confirmed Monday's visit.",
        "transcript": "AI: Hello Ann, calling to confirm Monday at 10:00. Ann: Yes.",
        "appointment_id": str(chens_visit.pk),
        "linked_appointment": {
            "id": str(chens_visit.pk),
            "date": "2030-01-07",
            "time": "10:00",
            "status": "confirmed",
        },
    }
    assert (sms["interaction_type"], sms["channel"], sms["outcome"]) == (
        "message",
        "sms",
        "no_answer",
    )
    assert unlinked["direction"] == "inbound"
    assert unlinked["appointment_id"] is None
    assert unlinked["linked_appointment"] is None


def test_doctor_sees_only_interactions_about_their_own_appointments(api, doctor, calls):
    response = api(doctor).get(url(calls["chen_call"].patient))

    assert ids(response) == [str(calls[k].pk) for k in ("chen_call", "chen_old")]
    assert response.json()["count"] == 2
    assert "Dr. Patel" not in response.content.decode()
    assert "Where do I park" not in response.content.decode()


def test_other_doctor_sees_only_theirs(api, other_doctor, calls):
    response = api(other_doctor).get(url(calls["chen_call"].patient))

    assert ids(response) == [str(calls["patel_sms"].pk)]


def test_ai_interactions_answer_without_a_trailing_slash(api, admin, calls):
    response = api(admin).get(url(calls["chen_call"].patient).rstrip("/"))

    assert len(ids(response)) == 4


def test_patient_with_no_interactions_has_an_empty_page(api, admin, clinic):
    response = api(admin).get(url(PatientFactory(clinic=clinic)))

    assert response.status_code == 200, response.content
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_doctor_who_does_not_see_the_patient_gets_404(api, clinic, patient, calls):
    """Even with an interaction about their own visit: no relationship, no patient."""
    locum = DoctorFactory(clinic=clinic, name="Dr. Locum")
    interaction(patient, visit(locum.user, patient, "14:00"))

    response = api(locum.user).get(url(patient))

    assert_error(response, 404, "not_found")


def test_ai_interactions_are_paginated(api, admin, patient):
    for n in range(30):
        interaction(patient, ago=timedelta(minutes=n))
    client = api(admin)

    first = client.get(url(patient))
    second = client.get(url(patient), {"page": 2})
    small = client.get(url(patient), {"page_size": 7})

    assert first.json()["count"] == 30
    assert len(first.json()["results"]) == 25
    assert first.json()["next"] is not None
    assert len(second.json()["results"]) == 5
    assert set(ids(first)).isdisjoint(ids(second))
    assert len(small.json()["results"]) == 7


@pytest.mark.parametrize("persona", ["outsider_admin", "outsider_doctor"])
def test_outsider_gets_404_for_our_patients_interactions(
    request, api, other_clinic, calls, persona
):
    if persona == "outsider_doctor":
        user = DoctorFactory(clinic=other_clinic).user
    else:
        user = request.getfixturevalue(persona)

    response = api(user).get(url(calls["chen_call"].patient))

    assert_error(response, 404, "not_found")
    assert "Hello Ann" not in response.content.decode()


def test_admin_gets_404_for_another_clinics_patient(api, admin, other_clinic):
    outsider = PatientFactory(clinic=other_clinic)
    interaction(outsider, transcript="AI: Hello from Uptown.")

    response = api(admin).get(url(outsider))

    assert_error(response, 404, "not_found")
    assert "Uptown" not in response.content.decode()


@pytest.mark.parametrize("patient_id", [uuid.uuid4(), "not-a-uuid"])
def test_unknown_patient_gets_404(api, admin, patient_id):
    assert api(admin).get(url(patient_id)).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("owner", 403), (None, 401)])
def test_owner_and_anonymous_are_refused(request, api, anon, calls, persona, status):
    client = api(request.getfixturevalue(persona)) if persona else anon

    response = client.get(url(calls["chen_call"].patient))

    assert_error(response, status)
    assert "Hello Ann" not in response.content.decode()


@pytest.mark.parametrize("rows", [5, 60])
@pytest.mark.parametrize("persona", ["admin", "doctor"])
def test_ai_interaction_query_count_does_not_grow_with_rows(
    request, api, doctor, patient, persona, rows, django_assert_max_num_queries
):
    visits = [visit(doctor, patient, f"{9 + n:02d}:00") for n in range(4)]
    for n in range(rows):
        interaction(patient, visits[n % 4], ago=timedelta(minutes=n))
    client = api(request.getfixturevalue(persona))

    with django_assert_max_num_queries(AI_INTERACTION_QUERIES):
        response = client.get(url(patient), {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
    assert all(row["linked_appointment"] for row in response.json()["results"])
