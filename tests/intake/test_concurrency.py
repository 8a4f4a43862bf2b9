"""Intake under simultaneous requests (PostgreSQL, real transactions and row locks).

One link, many submits: exactly one wins, the others get 409, one submission exists.
Many resends: exactly one live link. A submit racing a resend or a reschedule of the
same visit: a consistent outcome, never a deadlock or a 500.
"""

import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

import intake.services
from intake.models import IntakeSubmission, IntakeToken
from scheduling.models import Appointment
from tests.factories import AppointmentFactory
from tests.intake.helpers import (
    MONDAY,
    TUESDAY,
    WEDNESDAY,
    answers,
    local,
    page_url,
    public_url,
    raw_token,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(count: int, act) -> list:
    """Runs ``act(n)`` in ``count`` threads released together; each thread has
    its own database connection and closes it. Returns the results (or errors)."""
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            result = act(n)
        except Exception as exc:  # reported by the test, not lost in the thread
            result = exc
        finally:
            connection.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


@pytest.mark.parametrize("count", [2, 10])
def test_simultaneous_api_submits_make_exactly_one_submission(link, appointment, count):
    def submit(n: int):
        response = APIClient().post(
            public_url(link), {"responses": answers()}, REMOTE_ADDR=f"198.51.100.{n + 1}"
        )
        return response.status_code, response.json()

    results = race(count, submit)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (count - 1), results
    assert all(body["code"] == "already_submitted" for status, body in results if status == 409)
    assert IntakeSubmission.objects.count() == 1
    assert IntakeToken.objects.get().used_at is not None
    assert Appointment.objects.get(pk=appointment.pk).intake_status == "completed"


def test_simultaneous_page_submits_make_exactly_one_submission(link):
    form = {
        "reason": "Zorblax rash",
        "consent": "on",
    }

    def submit(n: int):
        return Client().post(page_url(link), form, REMOTE_ADDR=f"203.0.113.{n + 1}").status_code

    results = race(5, submit)

    assert sorted(results) == [200, 409, 409, 409, 409]
    assert IntakeSubmission.objects.count() == 1


def test_simultaneous_resends_leave_exactly_one_live_link(api, admin, appointment, template):
    clients = [api(admin) for _ in range(5)]

    def resend(n: int):
        response = clients[n].post(
            f"/api/appointments/{appointment.pk}/send-intake", {"template_id": str(template.pk)}
        )
        return response.status_code, response.json()

    results = race(5, resend)

    assert sorted(status for status, _ in results) == [201] * 5, results
    assert IntakeToken.objects.filter(revoked_at__isnull=True).count() == 1
    opened = [
        APIClient().get(public_url(raw_token(body["intake_url"]))).status_code
        for _, body in results
    ]
    assert sorted(opened) == [200, 410, 410, 410, 410]


PACES = ["answers checked slowly", "race 1", "race 2"]


@pytest.fixture
def pace(request, monkeypatch):
    """For the first pace the patient's submit holds its token lock a moment longer
    (answers checked slowly) and the staff action starts just after it, which makes
    the interleaving deterministic; the others race freely."""
    slow = request.param == PACES[0]
    if slow:
        check = intake.services.check_answers

        def slow_check(*args, **kwargs):
            time.sleep(0.3)
            return check(*args, **kwargs)

        monkeypatch.setattr("intake.services.check_answers", slow_check)
    return SimpleNamespace(staff_delay=0.05 if slow else 0)


@pytest.mark.parametrize("pace", PACES, indirect=True)
def test_submit_racing_a_resend_never_fails_the_server(
    api, admin, link, appointment, template, pace
):
    """Either the answers win (the resend gets 409) or the new link does (the old link
    gets 410); never a 500 or a deadlock, never both."""
    client = api(admin)

    def act(n: int):
        if n == 0:
            response = APIClient().post(public_url(link), {"responses": answers()})
        else:
            time.sleep(pace.staff_delay)
            response = client.post(
                f"/api/appointments/{appointment.pk}/send-intake",
                {"template_id": str(template.pk)},
            )
        return n, response.status_code, response.content

    results = {n: (status, content) for n, status, content in race(2, act)}

    submit_status, resend_status = results[0][0], results[1][0]
    assert (submit_status, resend_status) in ((201, 409), (410, 201)), results
    assert IntakeSubmission.objects.count() == (1 if submit_status == 201 else 0)


@pytest.mark.parametrize("pace", PACES, indirect=True)
def test_submit_racing_a_reschedule_never_fails_the_server(
    api, admin, doctor, patient, template, send_link, freeze, pace
):
    """A reschedule pulls the open link's expiry in while the patient submits: both
    succeed, one after the other; never a 500 or a deadlock."""
    freeze(local(MONDAY, "08:00"))
    visit = AppointmentFactory(doctor=doctor.doctor, patient=patient, scheduled_date=WEDNESDAY)
    token = send_link(visit, template)
    client = api(admin)

    def act(n: int):
        if n == 0:
            response = APIClient().post(public_url(token), {"responses": answers()})
        else:
            time.sleep(pace.staff_delay)
            response = client.post(
                f"/api/appointments/{visit.pk}/reschedule",
                {"new_date": TUESDAY.isoformat(), "new_time": "10:00"},
            )
        return n, response.status_code, response.content

    results = {n: (status, content) for n, status, content in race(2, act)}

    assert (results[0][0], results[1][0]) == (201, 200), results
    assert IntakeSubmission.objects.count() == 1
