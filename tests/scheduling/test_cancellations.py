"""POST /api/appointments/<id>/cancel and the automatic no-show job."""

from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command

from scheduling.models import Appointment, Cancellation
from tests.scheduling.helpers import (
    MONDAY,
    TUESDAY,
    appointment,
    appointment_url,
    assert_error,
    assert_field_error,
    clinic_rules,
)


def cancel(client, appt, **body):
    return client.post(appointment_url(appt, "cancel"), body)


@pytest.fixture
def visit(doctor, patient):
    """Ann Smith with Dr. Chen, Tuesday 14:00 (years ahead: plenty of notice)."""
    return appointment(doctor, patient, day=TUESDAY, at="14:00", status="confirmed")


def test_cancelling_writes_the_history_row(api, admin, clinic, doctor, patient, visit):
    admin.first_name, admin.last_name = "Maria", "Lopez"
    admin.save()

    response = cancel(api(admin), visit, reason="patient_cancelled", note="Has the flu")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    row = Cancellation.objects.get()
    assert row.appointment == visit
    assert (row.clinic, row.patient, row.doctor) == (clinic, patient, doctor.doctor)
    assert row.cancellation_type == "patient_cancelled"
    assert row.reason_note == "Has the flu"
    assert row.cancelled_by == admin
    assert row.cancelled_by_name == "Maria Lopez"
    assert (row.original_date, row.original_time) == (TUESDAY, time(14, 0))


@pytest.mark.parametrize(
    "reason", ["patient_cancelled", "rescheduled_externally", "clinic_cancelled", "other"]
)
def test_every_cancel_reason_but_no_show_cancels(api, admin, visit, reason):
    response = cancel(api(admin), visit, reason=reason, note="Because")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert Cancellation.objects.get().cancellation_type == reason


def test_cancelling_after_a_reschedule_records_the_time_it_had(api, admin, visit):
    client = api(admin)
    client.post(
        appointment_url(visit, "reschedule"), {"new_date": "2030-01-09", "new_time": "09:30"}
    )

    cancel(client, visit, reason="patient_cancelled")

    row = Cancellation.objects.get()
    assert (row.original_date.isoformat(), row.original_time) == ("2030-01-09", time(9, 30))


def test_reason_no_show_records_a_no_show(api, admin, doctor, patient, freeze):
    freeze(MONDAY, "10:20")
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", status="confirmed")

    response = cancel(api(admin), appt, reason="no_show")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "no_show"
    row = Cancellation.objects.get()
    assert row.cancellation_type == "no_show"
    assert row.cancelled_by == admin


def test_a_no_show_cannot_be_recorded_before_the_start(api, admin, doctor, patient, freeze):
    freeze(MONDAY, "09:50")
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", status="confirmed")

    response = cancel(api(admin), appt, reason="no_show")

    assert_error(response, 400, "too_early_for_no_show")
    assert Appointment.objects.get(pk=appt.pk).status == "confirmed"
    assert not Cancellation.objects.exists()


def test_reason_other_needs_a_note_where_the_clinic_requires_reasons(api, admin, visit):
    response = cancel(api(admin), visit, reason="other")
    blank = cancel(api(admin), visit, reason="other", note="   ")

    assert_field_error(response, "note")
    assert_field_error(blank, "note")
    assert Appointment.objects.get(pk=visit.pk).status == "confirmed"
    assert not Cancellation.objects.exists()


def test_reason_other_needs_no_note_where_the_clinic_does_not_require_reasons(
    api, admin, clinic, visit
):
    clinic_rules(clinic, cancellation_reason_required=False)

    response = cancel(api(admin), visit, reason="other")

    assert response.status_code == 200, response.content


def test_a_reason_is_needed_where_the_clinic_requires_one(api, admin, visit):
    response = cancel(api(admin), visit)

    assert_field_error(response, "reason")
    assert not Cancellation.objects.exists()


def test_without_a_required_reason_the_cancellation_is_other(api, admin, clinic, visit):
    clinic_rules(clinic, cancellation_reason_required=False)

    response = cancel(api(admin), visit)

    assert response.status_code == 200, response.content
    assert Cancellation.objects.get().cancellation_type == "other"


@pytest.mark.parametrize("reason", ["changed_mind", "", 3])
def test_an_unknown_reason_names_the_field(api, admin, visit, reason):
    assert_field_error(cancel(api(admin), visit, reason=reason), "reason")


def test_a_long_note_names_the_field(api, admin, visit):
    assert_field_error(cancel(api(admin), visit, reason="other", note="x" * 2001), "note")


# Minimum notice ------------------------------------------------------------------------------


@pytest.fixture
def in_half_an_hour(doctor, patient, freeze):
    """A 10:00 visit, seen from 09:30 (notice 60 minutes by default)."""
    freeze(MONDAY, "09:30")
    return appointment(doctor, patient, day=MONDAY, at="10:00", status="confirmed")


@pytest.mark.parametrize("reason", ["patient_cancelled", "rescheduled_externally", "other"])
def test_cancelling_inside_the_notice_is_refused(api, admin, in_half_an_hour, reason):
    response = cancel(api(admin), in_half_an_hour, reason=reason, note="Late")

    assert_error(response, 400, "short_notice")
    assert Appointment.objects.get(pk=in_half_an_hour.pk).status == "confirmed"
    assert not Cancellation.objects.exists()


def test_admin_can_force_a_late_cancellation(api, admin, in_half_an_hour):
    response = cancel(api(admin), in_half_an_hour, reason="patient_cancelled", force=True)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert Cancellation.objects.count() == 1


def test_force_cannot_override_notice_where_the_clinic_forbids_override(
    api, admin, clinic, in_half_an_hour
):
    clinic_rules(clinic, allow_admin_override=False)

    response = cancel(api(admin), in_half_an_hour, reason="patient_cancelled", force=True)

    assert_error(response, 400, "short_notice")
    assert not Cancellation.objects.exists()


def test_the_clinic_cancelling_is_exempt_from_notice(api, admin, in_half_an_hour):
    response = cancel(api(admin), in_half_an_hour, reason="clinic_cancelled")

    assert response.status_code == 200, response.content


def test_cancelling_with_exactly_enough_notice_is_allowed(api, admin, doctor, patient, freeze):
    freeze(MONDAY, "09:00")
    appt = appointment(doctor, patient, day=MONDAY, at="10:00", status="confirmed")

    response = cancel(api(admin), appt, reason="patient_cancelled")

    assert response.status_code == 200, response.content


def test_a_clinic_with_no_minimum_notice_cancels_late(api, admin, clinic, in_half_an_hour):
    clinic_rules(clinic, minimum_cancellation_notice=0)

    response = cancel(api(admin), in_half_an_hour, reason="patient_cancelled")

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("status", ["arrived", "in_progress"])
def test_a_visit_under_way_cannot_be_cancelled(api, admin, visit, status):
    visit.status = status
    visit.save()

    response = cancel(api(admin), visit, reason="clinic_cancelled")

    assert_error(response, 409, "invalid_transition")
    assert not Cancellation.objects.exists()


@pytest.mark.parametrize("status", ["completed", "cancelled", "no_show"])
def test_a_finished_visit_cannot_be_cancelled(api, admin, visit, status):
    visit.status = status
    visit.save()

    assert_error(cancel(api(admin), visit, reason="clinic_cancelled"), 409, "invalid_transition")


def test_cancelling_twice_writes_one_row(api, admin, visit):
    client = api(admin)

    first = cancel(client, visit, reason="patient_cancelled")
    second = cancel(client, visit, reason="patient_cancelled")

    assert first.status_code == 200
    assert_error(second, 409, "invalid_transition")
    assert Cancellation.objects.count() == 1


# Automatic no-shows --------------------------------------------------------------------------


def mark_no_shows() -> str:
    out = StringIO()
    call_command("mark_no_shows", stdout=out)
    return out.getvalue()


def test_mark_no_shows_marks_overdue_visits_once(
    doctor, other_doctor, patient, other_patient, freeze
):
    freeze(MONDAY, "10:20")  # threshold 15 minutes: 10:05 and earlier are overdue
    unconfirmed = appointment(doctor, patient, at="09:00", status="unconfirmed")
    confirmed = appointment(doctor, other_patient, at="10:00", duration=15, status="confirmed")
    arrived = appointment(other_doctor, patient, at="09:30", status="arrived")
    in_progress = appointment(other_doctor, other_patient, at="10:00", status="in_progress")
    not_yet = appointment(doctor, patient, at="10:15", status="confirmed")
    cancelled = appointment(other_doctor, patient, at="11:00", status="cancelled")

    first = mark_no_shows()
    rows_after_first = list(Cancellation.objects.values_list("id", flat=True))
    second = mark_no_shows()

    statuses = {a.pk: a.status for a in Appointment.objects.all()}
    assert statuses == {
        unconfirmed.pk: "no_show",
        confirmed.pk: "no_show",
        arrived.pk: "arrived",
        in_progress.pk: "in_progress",
        not_yet.pk: "confirmed",
        cancelled.pk: "cancelled",
    }
    assert "2" in first
    assert "0" in second
    assert list(Cancellation.objects.values_list("id", flat=True)) == rows_after_first
    rows = Cancellation.objects.all()
    assert {r.appointment_id for r in rows} == {unconfirmed.pk, confirmed.pk}
    for row in rows:
        assert row.cancellation_type == "no_show"
        assert row.cancelled_by is None
        assert row.cancelled_by_name == "ClinicFlow (automatic)"
    assert {(r.original_date, r.original_time) for r in rows} == {
        (MONDAY, time(9, 0)),
        (MONDAY, time(10, 0)),
    }


def test_mark_no_shows_uses_each_clinics_threshold(
    clinic, doctor, patient, outsider_doctor, outsider_patient, freeze
):
    clinic_rules(clinic, auto_no_show_threshold=60)
    freeze(MONDAY, "10:30")
    ours = appointment(doctor, patient, at="10:00")
    # Uptown is in Chicago: 09:00 there is 10:00 in New York, 30 minutes ago.
    theirs = appointment(outsider_doctor, outsider_patient, at="09:00")

    mark_no_shows()

    assert Appointment.objects.get(pk=ours.pk).status == "unconfirmed"
    assert Appointment.objects.get(pk=theirs.pk).status == "no_show"
    assert Cancellation.objects.get().clinic == outsider_patient.clinic


def test_a_visit_marked_no_show_frees_its_slot(api, admin, doctor, patient, freeze):
    freeze(MONDAY, "09:00")
    appointment(doctor, patient, at="09:00", duration=60)
    freeze(MONDAY, "09:20")

    mark_no_shows()
    free = api(admin).get(
        "/api/schedule/available/", {"doctor_id": str(doctor.doctor.id), "date": "2030-01-07"}
    )

    assert [s["start"] for s in free.json()["slots"]][:2] == ["09:30", "10:00"]


# Roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["doctor", "owner"])
def test_only_admins_cancel(api, request, role, visit):
    response = cancel(api(request.getfixturevalue(role)), visit, reason="patient_cancelled")

    assert_error(response, 403, "forbidden_role")
    assert not Cancellation.objects.exists()


def test_anonymous_cannot_cancel(anon, visit):
    assert_error(cancel(anon, visit, reason="patient_cancelled"), 401, "not_authenticated")


def test_outsider_gets_404_cancelling_our_visit(api, outsider_admin, visit):
    response = cancel(api(outsider_admin), visit, reason="patient_cancelled")

    assert_error(response, 404)
    assert Appointment.objects.get(pk=visit.pk).status == "confirmed"
