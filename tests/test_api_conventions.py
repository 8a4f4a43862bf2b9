"""What every endpoint does the same way (clinicflow.api, clinicflow.routers):
PATCH is the partial PUT, a method an endpoint lacks is 405 for everyone, a PUT
needs a body, and query parameters are declared or refused."""

import itertools
from datetime import time

import pytest

from accounts.models import Role
from tests.factories import (
    AppointmentFactory,
    DoctorNoteFactory,
    FollowUpFactory,
    IntakeFormTemplateFactory,
    PatientFactory,
    UserFactory,
)

ROLES = ("admin", "doctor", "owner")
_HOURS = itertools.count()


def _patient(world):
    return f"/api/patients/{PatientFactory(clinic=world['clinic']).id}"


def _doctor(world):
    return f"/api/doctors/{world['doctor'].doctor.id}"


def _preferences(world):
    return f"/api/doctors/{world['doctor'].doctor.id}/preferences"


def _appointment(world):
    # A new hour each time: PostgreSQL refuses overlapping visits of one doctor.
    at = time(8 + next(_HOURS) % 10)
    return (
        f"/api/appointments/{AppointmentFactory(doctor=world['doctor'].doctor, start_time=at).id}"
    )


def _follow_up(world):
    return f"/api/follow-ups/{FollowUpFactory(doctor=world['doctor'].doctor).id}"


def _clinic(world):
    return f"/api/clinics/{world['clinic'].id}"


def _template(world):
    return f"/api/intake/templates/{IntakeFormTemplateFactory(clinic=world['clinic']).id}"


def _note(world):
    return f"/api/doctor-notes/{DoctorNoteFactory(doctor=world['doctor'].doctor).id}"


def _staff_user(world):
    return f"/api/settings/users/{UserFactory(clinic=world['clinic'], role=Role.OWNER).id}"


# (endpoint, roles that may change it, a change, the key that shows it).
PARTIAL_UPDATES = [
    (_patient, ("admin",), {"first_name": "Renamed"}, "first_name"),
    (_doctor, ("admin", "doctor"), {"specialty": "Cardiology"}, "specialty"),
    (_preferences, ("doctor",), {"allows_walkins": True}, "allows_walkins"),
    (_appointment, ("admin",), {"visit_reason": "Sore throat"}, "visit_reason"),
    (_follow_up, ("admin", "doctor"), {"status": "scheduled"}, "status"),
    (_clinic, ("admin",), {"name": "Midtown Clinic"}, "name"),
    (_template, ("admin",), {"name": "Short form"}, "name"),
    (_note, ("doctor",), {"content": "Rewritten"}, "content"),
    (_staff_user, ("admin",), {"first_name": "Renamed"}, "first_name"),
    (lambda w: "/api/settings/clinic", ("admin",), {"slot_size": 15}, "slot_size"),
    (
        lambda w: "/api/settings/scheduling",
        ("admin",),
        {"allow_overlapping": True},
        "allow_overlapping",
    ),
    (
        lambda w: "/api/settings/intake",
        ("admin",),
        {"intake_delivery_path": "manual"},
        "intake_delivery_path",
    ),
    (
        lambda w: "/api/settings/notifications",
        ("admin",),
        {"notify_via_email": True},
        "notify_via_email",
    ),
    (
        lambda w: "/api/settings/my-preferences",
        ("doctor",),
        {"allows_walkins": True},
        "allows_walkins",
    ),
]
CASES = [
    pytest.param(make, role, role in allowed, change, key, id=f"{key}-{n}-{role}")
    for n, (make, allowed, change, key) in enumerate(PARTIAL_UPDATES)
    for role in ROLES
]


@pytest.fixture
def world(clinic, admin, doctor, owner):
    return {"clinic": clinic, "admin": admin, "doctor": doctor, "owner": owner}


@pytest.mark.parametrize(("make", "role", "allowed", "change", "key"), CASES)
def test_patch_updates_like_partial_put(api, world, make, role, allowed, change, key):
    """Wherever a PUT changes the keys sent, PATCH does the same, for the same roles."""
    client = api(world[role])

    patched = client.patch(make(world), change)
    put = client.put(make(world), change)

    assert patched.status_code == put.status_code, patched.content
    if allowed:
        assert patched.status_code == 200, patched.content
        assert patched.json()[key] == put.json()[key] == change[key]
    else:
        assert patched.status_code == 403
        assert patched.json()["code"] == "forbidden_role"


def test_patch_updates_patient_like_partial_put(api, admin, clinic):
    patient = PatientFactory(clinic=clinic, first_name="Ann", last_name="Smith")

    response = api(admin).patch(f"/api/patients/{patient.id}", {"last_name": "Jones"})

    assert response.status_code == 200
    assert response.json()["first_name"] == "Ann"
    assert response.json()["last_name"] == "Jones"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("delete", "/api/patients/{patient}"),
        ("delete", "/api/appointments/{appointment}"),
        ("put", "/api/auth/me"),
        ("post", "/api/schedule/grid"),
        ("patch", "/api/metrics/appointments"),
    ],
)
def test_a_method_the_endpoint_lacks_is_405_for_every_role(
    api, clinic, doctor, role, method, url, request
):
    """Not a misleading 403: the endpoint has no such method, whoever asks."""
    patient = PatientFactory(clinic=clinic)
    appointment = AppointmentFactory(doctor=doctor.doctor, patient=patient)
    user = request.getfixturevalue(role)

    response = getattr(api(user), method)(
        url.format(patient=patient.id, appointment=appointment.id)
    )

    assert response.status_code == 405, response.content
    assert response["Allow"]


@pytest.mark.parametrize(
    "url",
    ["/api/settings/clinic", "/api/settings/scheduling", "/api/patients/{patient}"],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_without_body_is_400(api, admin, clinic, method, url):
    """A missing body is a mistake; ``{}`` is the way to change nothing."""
    patient = PatientFactory(clinic=clinic)
    client = api(admin)
    target = url.format(patient=patient.id)

    missing = getattr(client, method)(target)
    empty = getattr(client, method)(target, {})

    assert missing.status_code == 400
    assert "non_field_errors" in missing.json()
    assert empty.status_code == 200


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("admin", "/api/patients?ordering=last_name"),
        ("admin", "/api/doctors?search=chen"),
        ("admin", "/api/intake/templates?is_active=true"),
        ("admin", "/api/schedule/grid?doctor_id=1"),
        ("doctor", "/api/schedule/my?page=2"),
        ("admin", "/api/clinics/{clinic}?expand=settings"),
        ("owner", "/api/metrics/appointments?status=completed"),
    ],
)
def test_unknown_query_parameter_is_400(api, clinic, role, url, request):
    user = request.getfixturevalue(role)

    response = api(user).get(url.format(clinic=clinic.id))

    assert response.status_code == 400, response.content
    name = url.split("?")[1].split("=")[0]
    assert response.json() == {name: ["Unknown query parameter."]}


def test_unknown_query_parameter_is_400_on_public_endpoints(anon, db):
    response = anon.get("/api/public/intake/unknown-token?lang=fr")

    assert response.status_code == 400
    assert response.json() == {"lang": ["Unknown query parameter."]}


def test_unknown_query_parameter_does_not_come_before_authentication(anon, db):
    assert anon.get("/api/patients?ordering=name").status_code == 401


def test_paged_detail_actions_accept_page_parameters(api, admin, clinic):
    patient = PatientFactory(clinic=clinic)

    response = api(admin).get(f"/api/patients/{patient.id}/cancellations?page=1&page_size=5")

    assert response.status_code == 200
    assert api(admin).get(f"/api/patients/{patient.id}?page=1").status_code == 400
