"""GET /api/metrics/appointments: per-day appointment counts by status for owners and
admins. Counts only: nothing in an owner's answer names or points at a patient."""

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.dashboard.helpers import METRICS, STATUSES
from tests.factories import (
    AIInteractionFactory,
    AppointmentFactory,
    CancellationFactory,
    DoctorNoteFactory,
    DoctorPatientRelationshipFactory,
    FollowUpFactory,
    IntakeSubmissionFactory,
    PatientFactory,
)
from tests.scheduling.helpers import MONDAY, appointment, assert_error

DAY_KEYS = {"date", "total", *STATUSES}

# Session auth (one join), one grouped query.
METRICS_QUERIES = 2


def metrics(client, start, end):
    return client.get(METRICS, {"from": start.isoformat(), "to": end.isoformat()})


@pytest.fixture
def first_week(clinic, doctor, other_doctor, outsider_doctor, outsider_patient):
    """Monday: every status once (two doctors); Wednesday: two confirmed; another
    clinic busy on Monday too."""
    for n, status in enumerate(STATUSES):
        appointment(
            (doctor, other_doctor)[n % 2],
            PatientFactory(clinic=clinic),
            day=MONDAY,
            at=f"{9 + n:02d}:00",
            status=status,
        )
    for at in ("09:00", "10:00"):
        appointment(
            doctor, PatientFactory(clinic=clinic), day=date(2030, 1, 9), at=at, status="confirmed"
        )
    for at in ("09:00", "10:00", "11:00"):
        AppointmentFactory(
            doctor=outsider_doctor.doctor,
            patient=outsider_patient,
            scheduled_date=MONDAY,
            start_time=datetime.strptime(at, "%H:%M").time(),
            status="completed",
        )


@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_metrics_count_each_status_per_day_including_empty_days(request, api, first_week, persona):
    response = metrics(api(request.getfixturevalue(persona)), MONDAY, date(2030, 1, 10))

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"from", "to", "days"}
    assert (body["from"], body["to"]) == ("2030-01-07", "2030-01-10")
    assert [d["date"] for d in body["days"]] == [
        "2030-01-07",
        "2030-01-08",
        "2030-01-09",
        "2030-01-10",
    ]
    assert all(set(d) == DAY_KEYS for d in body["days"])
    empty = dict.fromkeys(DAY_KEYS - {"date"}, 0)
    assert body["days"][0] == {"date": "2030-01-07", "total": 7, **dict.fromkeys(STATUSES, 1)}
    assert body["days"][1] == {"date": "2030-01-08", **empty}
    assert body["days"][2] == {"date": "2030-01-09", **empty, "total": 2, "confirmed": 2}
    assert body["days"][3] == {"date": "2030-01-10", **empty}


def test_each_days_total_is_the_sum_of_its_statuses(api, owner, first_week):
    for entry in metrics(api(owner), MONDAY - timedelta(days=3), MONDAY + timedelta(days=3)).json()[
        "days"
    ]:
        assert entry["total"] == sum(entry[s] for s in STATUSES), entry


def test_a_one_day_range_has_one_entry(api, owner, first_week):
    response = metrics(api(owner), MONDAY, MONDAY)

    assert response.status_code == 200, response.content
    assert len(response.json()["days"]) == 1
    assert response.json()["days"][0]["total"] == 7


def test_outsider_metrics_count_only_their_own_clinic(api, outsider_admin, first_week):
    response = metrics(api(outsider_admin), MONDAY, MONDAY)

    assert response.json()["days"] == [
        {"date": "2030-01-07", **dict.fromkeys(DAY_KEYS - {"date"}, 0), "total": 3, "completed": 3}
    ]


@pytest.mark.parametrize("query", ["to=", "from=", "from=&to=2030-01-07"])
def test_empty_range_param_is_400(api, owner, query):
    response = api(owner).get(f"{METRICS}?{query}")

    assert response.status_code == 400, response.content
    assert query.split("=")[0] in response.json()


def test_a_range_of_366_days_is_allowed(api, owner):
    start = date(2030, 1, 1)

    response = metrics(api(owner), start, start + timedelta(days=365))

    assert response.status_code == 200, response.content
    assert len(response.json()["days"]) == 366
    assert response.json()["days"][-1]["date"] == "2031-01-01"


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2030-01-10", "to": "2030-01-09"},
        {"from": "2030-01-01", "to": "2031-01-02"},  # 367 days
        {"from": "2020-01-01", "to": "2030-01-01"},
        {"from": "2030-02-30", "to": "2030-03-01"},
        {"from": "2030-01-01", "to": "soon"},
        {"from": "01/01/2030"},
    ],
)
def test_bad_metrics_range_gets_400(api, owner, params):
    response = api(owner).get(METRICS, params)

    assert response.status_code == 400, response.content
    assert set(response.json()) & {"from", "to", "non_field_errors"}, response.json()


@pytest.mark.parametrize(
    ("params", "days"),
    [
        ({"from": "9999-12-20", "to": "9999-12-31"}, 12),
        ({"from": "0001-01-01", "to": "0001-01-03"}, 3),
        ({"from": "9999-12-20"}, None),
        ({"to": "0001-01-10"}, None),
    ],
)
def test_metrics_at_the_ends_of_the_calendar_answer_without_a_server_error(
    api, owner, params, days
):
    """A range that fits the calendar is counted; one whose default end would fall
    off it is a 400, never a 500."""
    api_client = api(owner)
    api_client.raise_request_exception = False

    response = api_client.get(METRICS, params)

    if days is None:
        assert response.status_code == 400, response.content
        assert set(response.json()) & {"from", "to", "non_field_errors"}, response.json()
    else:
        assert response.status_code == 200, response.content
        assert len(response.json()["days"]) == days
        assert response.json()["days"][-1]["date"] == params["to"]


@pytest.mark.parametrize(("persona", "status"), [("doctor", 403), (None, 401)])
def test_metrics_are_for_owners_and_admins(request, api, anon, first_week, persona, status):
    client = api(request.getfixturevalue(persona)) if persona else anon

    assert_error(metrics(client, MONDAY, MONDAY), status)


# No patient data for owners -----------------------------------------------------------

PEOPLE = [
    ("Wilhelmina", "Featherstonehaugh", "w.feather@example.org", "+1 555 201 7788"),
    ("Bartholomew", "Quigglesworth", "bart.q@example.net", "(555) 303-4411"),
    ("Perpetua", "Vandersloot", "perpetua@vandersloot.example", "+1 555 777 0123"),
    ("Xiomara", "Oyelaran-Nakamura", "xio.on@example.com", "555.909.6262"),
    ("Thaddeus", "Kowalczykiewicz", "thad.k@example.org", "+1 (555) 414-1414"),
]


@pytest.fixture
def demo_like_clinic(clinic, doctor, other_doctor):
    """Several patients with distinctive names, emails and phones, with visits in
    every status, cancellations, intake, notes, follow-ups and AI calls."""
    patients, appointments = [], []
    for n, (first, last, email, phone) in enumerate(PEOPLE):
        patient = PatientFactory(
            clinic=clinic,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            flags={"needs_interpreter": "Portuguese"},
        )
        who = (doctor, other_doctor)[n % 2]
        DoctorPatientRelationshipFactory(doctor=who.doctor, patient=patient)
        patients.append(patient)
        for m, status in enumerate(STATUSES):
            visit = appointment(
                who,
                patient,
                day=MONDAY + timedelta(days=m % 3),
                at=f"{8 + n:02d}:{15 * (m // 3):02d}",
                duration=15,
                status=status,
                visit_reason=f"{first} {last}'s visit",
            )
            appointments.append(visit)
            if status in ("cancelled", "no_show"):
                CancellationFactory(appointment=visit, reason_note=f"{first} called")
        IntakeSubmissionFactory(appointment=appointments[-7], ai_summary=f"{first} {last} is fine.")
        DoctorNoteFactory(doctor=who.doctor, patient=patient, content=f"Note on {last}")
        FollowUpFactory(doctor=who.doctor, patient=patient, note=f"See {first} again")
        AIInteractionFactory(
            patient=patient,
            appointment=appointments[-6],
            summary=f"Called {phone}",
            transcript=f"AI: Hello {first}, calling {phone}.",
        )
    return patients, appointments


def _identifiers(patients, appointments) -> list[str]:
    values = []
    for p in patients:
        values += [p.first_name, p.last_name, p.email, p.phone, str(p.pk), p.pk.hex]
        values.append(re.sub(r"\D", "", p.phone))  # the phone's digits, however written
    for a in appointments:
        values += [str(a.pk), a.pk.hex]
    return values


def _leaks(text: str, values) -> list[str]:
    folded = text.lower()
    return [v for v in values if v.lower() in folded]


def test_owner_metrics_carry_no_patient_data(api, owner, demo_like_clinic):
    patients, appointments = demo_like_clinic

    response = metrics(api(owner), MONDAY - timedelta(days=1), MONDAY + timedelta(days=3))

    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert sum(d["total"] for d in response.json()["days"]) == len(appointments)
    assert _leaks(text, _identifiers(patients, appointments)) == []
    # Nothing but dates and counts: no UUID of any kind, no words beyond the keys.
    assert not re.search(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}", text, re.IGNORECASE)
    keys_and_dates = set(re.findall(r"[A-Za-z_]+", text))
    assert keys_and_dates <= DAY_KEYS | {"from", "to", "days"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/dashboard/admin/summary/",
        "/api/dashboard/admin/needs-attention/",
        "/api/dashboard/admin/cancellations/",
        "/api/dashboard/doctor/summary/",
        "/api/dashboard/doctor/today/",
        "/api/follow-ups/",
        "/api/appointments/",
        "/api/patients/",
        "patient:/api/patients/{}/",
        "patient:/api/patients/{}/ai-interactions/",
        "patient:/api/patients/{}/history/",
        "patient:/api/patients/{}/cancellations/",
        "patient:/api/doctor-notes/patient/{}/",
    ],
)
def test_owner_is_refused_every_endpoint_with_patient_data(api, owner, demo_like_clinic, path):
    patients, appointments = demo_like_clinic
    if path.startswith("patient:"):
        path = path.removeprefix("patient:").format(patients[0].pk)

    response = api(owner).get(path)

    assert_error(response, 403, "forbidden_role")
    assert _leaks(response.content.decode(), _identifiers(patients, appointments)) == []


def test_owner_metrics_json_holds_only_numbers_per_day(api, owner, demo_like_clinic):
    response = metrics(api(owner), MONDAY, MONDAY + timedelta(days=2))

    for entry in json.loads(response.content)["days"]:
        assert all(isinstance(entry[k], int) for k in DAY_KEYS - {"date"}), entry


# Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [5, 60])
@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_metrics_query_count_does_not_grow_with_rows(
    request, api, clinic, doctor, persona, rows, django_assert_max_num_queries
):
    for n in range(rows):
        AppointmentFactory(
            doctor=doctor.doctor,
            patient=PatientFactory(clinic=clinic),
            scheduled_date=MONDAY + timedelta(days=n % 20),
            start_time=datetime(2030, 1, 1, 8 + n // 20).time(),
            status=STATUSES[n % len(STATUSES)],
        )
    client = api(request.getfixturevalue(persona))

    with django_assert_max_num_queries(METRICS_QUERIES):
        response = metrics(client, MONDAY - timedelta(days=5), MONDAY + timedelta(days=30))

    assert response.status_code == 200
    assert sum(d["total"] for d in response.json()["days"]) == rows
    assert len(response.json()["days"]) == 36


def test_metrics_default_range_ends_today(api, admin, freeze):
    freeze(datetime(2030, 6, 15, 16, 0, tzinfo=UTC))

    response = api(admin).get(METRICS)

    assert response.status_code == 200, response.content
    assert (response.json()["from"], response.json()["to"]) == ("2030-05-17", "2030-06-15")
    assert len(response.json()["days"]) == 30
