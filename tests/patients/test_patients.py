"""/api/patients: admins manage the clinic's patients; doctors read the ones they see."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from patients.models import DoctorPatientRelationship, Patient
from tests.factories import DoctorFactory, DoctorPatientRelationshipFactory, PatientFactory

LIST = "/api/patients/"
PATIENT_KEYS = {
    "id",
    "clinic_id",
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "first_visit_date",
    "primary_doctor",
    "contact_preferences",
    "flags",
    "created_at",
    "updated_at",
}


def detail(patient_id) -> str:
    return f"/api/patients/{patient_id}/"


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}
    if code is not None:
        assert body["code"] == code


def ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def patient(clinic):
    return PatientFactory(
        clinic=clinic,
        first_name="Ann",
        last_name="Smith",
        email="ann.smith@example.org",
        phone="+1 555 010 0199",
    )


@pytest.fixture
def doctors_patient(doctor, patient):
    """``patient``, seen by ``doctor``."""
    DoctorPatientRelationshipFactory(doctor=doctor.doctor, patient=patient)
    return patient


@pytest.fixture
def outsider_patient(other_clinic):
    return PatientFactory(clinic=other_clinic, first_name="Otto", last_name="Uptown")


@pytest.mark.parametrize("path", ["/api/patients", "/api/patients/{id}"])
def test_patient_reads_answer_without_a_trailing_slash(api, admin, patient, path):
    response = api(admin).get(path.format(id=patient.id))

    assert response.status_code == 200, response.content


def test_patient_writes_answer_without_a_trailing_slash(api, admin, patient):
    client = api(admin)

    created = client.post("/api/patients", {"first_name": "Bo", "last_name": "Lee"})
    updated = client.put(f"/api/patients/{patient.id}", {"first_name": "Anne"})

    assert created.status_code == 201, created.content
    assert updated.status_code == 200, updated.content


# List ------------------------------------------------------------------------------------


def test_admin_lists_every_patient_of_the_clinic(api, admin, clinic, patient, outsider_patient):
    others = PatientFactory.create_batch(2, clinic=clinic)

    response = api(admin).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert (body["next"], body["previous"]) == (None, None)
    assert ids(response) == {str(patient.id), *(str(p.id) for p in others)}


def test_patient_list_is_ordered_by_last_then_first_name(api, admin, clinic):
    PatientFactory(clinic=clinic, first_name="Zoe", last_name="Adams")
    PatientFactory(clinic=clinic, first_name="Bob", last_name="Young")
    PatientFactory(clinic=clinic, first_name="Amy", last_name="Adams")

    response = api(admin).get(LIST)

    assert [row["name"] for row in response.json()["results"]] == [
        "Amy Adams",
        "Zoe Adams",
        "Bob Young",
    ]


def test_patient_rows_have_the_patient_shape(api, admin, clinic, doctor):
    PatientFactory(
        clinic=clinic,
        first_name="Ann",
        last_name="Smith",
        primary_doctor=doctor.doctor,
        flags={"vip": True},
    )

    row = api(admin).get(LIST).json()["results"][0]

    assert set(row) == PATIENT_KEYS
    assert row["clinic_id"] == str(clinic.id)
    assert row["name"] == "Ann Smith"
    assert row["date_of_birth"] == "1980-05-17"
    assert row["contact_preferences"] == {"sms": True, "email": True}
    assert row["flags"] == {"vip": True}
    assert row["primary_doctor"] == {
        "id": str(doctor.doctor.id),
        "name": "Dr. Chen",
        "initials": "",
        "specialty": "Family Medicine",
        "color": "#3B82F6",
    }


def test_doctor_sees_only_patients_they_have_a_relationship_with(
    api, clinic, doctor, other_doctor, doctors_patient
):
    DoctorPatientRelationshipFactory(doctor=other_doctor.doctor)
    PatientFactory(clinic=clinic, primary_doctor=None)

    response = api(doctor).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert ids(response) == {str(doctors_patient.id)}


def test_doctor_with_no_relationships_sees_no_patients(api, doctor, patient):
    response = api(doctor).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_owner_gets_403_on_patient_list(api, owner, patient):
    response = api(owner).get(LIST)

    assert_error(response, 403, "forbidden_role")
    assert "Smith" not in response.content.decode()


def test_anonymous_gets_401_on_patient_list(anon, patient):
    assert_error(anon.get(LIST), 401, "not_authenticated")


def test_outsider_sees_none_of_our_patients(api, outsider_admin, patient, outsider_patient):
    response = api(outsider_admin).get(LIST)

    assert response.status_code == 200
    assert ids(response) == {str(outsider_patient.id)}


# Search and filters -----------------------------------------------------------------------


@pytest.fixture
def smiths(clinic):
    """Ann Smith, John Smithers and Ann Jones, with known emails and phones."""
    return {
        "ann_smith": PatientFactory(
            clinic=clinic,
            first_name="Ann",
            last_name="Smith",
            email="ann.smith@example.org",
            phone="+1 555 010 0199",
        ),
        "john_smithers": PatientFactory(
            clinic=clinic,
            first_name="John",
            last_name="Smithers",
            email="jsmithers@example.org",
            phone="+1 555 020 0288",
        ),
        "ann_jones": PatientFactory(
            clinic=clinic,
            first_name="Ann",
            last_name="Jones",
            email="ajones@example.org",
            phone="+1 555 030 0377",
        ),
    }


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param("ann smi", {"ann_smith"}, id="first-and-last-name-prefixes"),
        pytest.param("SMITH", {"ann_smith", "john_smithers"}, id="case-insensitive"),
        pytest.param("ann", {"ann_smith", "ann_jones"}, id="first-name"),
        pytest.param("jsmithers@", {"john_smithers"}, id="email"),
        pytest.param("0377", {"ann_jones"}, id="part-of-phone"),
        pytest.param("555 020", {"john_smithers"}, id="phone-with-space"),
        pytest.param("ann 0199", {"ann_smith"}, id="name-and-phone"),
        pytest.param("zelda", set(), id="no-match"),
        pytest.param("", {"ann_smith", "john_smithers", "ann_jones"}, id="empty"),
    ],
)
def test_admin_searches_patients_by_name_email_and_phone(api, admin, smiths, search, expected):
    response = api(admin).get(LIST, {"search": search})

    assert response.status_code == 200
    assert ids(response) == {str(smiths[key].id) for key in expected}


def test_doctor_search_stays_within_their_patients(api, doctor, smiths):
    DoctorPatientRelationshipFactory(doctor=doctor.doctor, patient=smiths["john_smithers"])

    response = api(doctor).get(LIST, {"search": "smith"})

    assert response.status_code == 200
    assert ids(response) == {str(smiths["john_smithers"].id)}


def test_search_never_finds_another_clinics_patients(api, admin, outsider_patient):
    response = api(admin).get(LIST, {"search": "otto"})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    "search",
    [pytest.param("x" * 101, id="too-long"), pytest.param("ann\x00", id="nul-character")],
)
def test_unusable_search_gets_400(api, admin, patient, search):
    response = api(admin).get(LIST, {"search": search})

    assert response.status_code == 400
    assert "search" in response.json()


def test_admin_filters_patients_by_primary_doctor(api, admin, clinic, doctor, other_doctor):
    chens = PatientFactory.create_batch(2, clinic=clinic, primary_doctor=doctor.doctor)
    PatientFactory(clinic=clinic, primary_doctor=other_doctor.doctor)
    PatientFactory(clinic=clinic, primary_doctor=None)

    response = api(admin).get(LIST, {"doctor_id": str(doctor.doctor.id)})

    assert response.status_code == 200
    assert ids(response) == {str(p.id) for p in chens}


def test_filter_by_another_clinics_doctor_finds_nothing(api, admin, clinic, other_clinic):
    stranger = DoctorFactory(clinic=other_clinic)
    PatientFactory(clinic=clinic, primary_doctor=None)

    response = api(admin).get(LIST, {"doctor_id": str(stranger.id)})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("doctor_id", ["dr-chen", "123", "' OR 1=1 --"])
def test_malformed_doctor_id_filter_gets_400(api, admin, patient, doctor_id):
    response = api(admin).get(LIST, {"doctor_id": doctor_id})

    assert response.status_code == 400
    assert "doctor_id" in response.json()


def test_doctor_cannot_widen_their_list_with_doctor_id(api, doctor, other_doctor, doctors_patient):
    """``doctor_id`` is an admin filter; a doctor still sees only their own patients."""
    theirs = DoctorPatientRelationshipFactory(
        doctor=other_doctor.doctor, patient__primary_doctor=other_doctor.doctor
    ).patient

    response = api(doctor).get(LIST, {"doctor_id": str(other_doctor.doctor.id)})

    assert response.status_code == 200
    assert str(theirs.id) not in ids(response)


# Pagination ------------------------------------------------------------------------------


def test_patient_list_pages_with_page_size(api, admin, clinic):
    PatientFactory.create_batch(7, clinic=clinic)
    client = api(admin)

    first = client.get(LIST, {"page_size": 5})
    second = client.get(LIST, {"page_size": 5, "page": 2})

    assert first.status_code == 200
    assert first.json()["count"] == 7
    assert len(first.json()["results"]) == 5
    assert first.json()["previous"] is None
    assert "page=2" in first.json()["next"]
    assert second.status_code == 200
    assert len(second.json()["results"]) == 2
    assert second.json()["next"] is None
    assert ids(first).isdisjoint(ids(second))


@pytest.mark.parametrize("page_size", ["0", "-5", "abc", "2.5"])
def test_page_size_that_is_not_a_whole_number_of_at_least_1_is_400(api, admin, patient, page_size):
    """A typo should not silently give the default page."""
    response = api(admin).get(LIST, {"page_size": page_size})

    assert response.status_code == 400
    assert "page_size" in response.json()


@pytest.mark.parametrize("page_size", ["101", "1000"])
def test_page_size_above_maximum_is_capped(api, admin, clinic, page_size):
    """DRF's usual behaviour: more than 100 rows per page gives 100."""
    PatientFactory.create_batch(101, clinic=clinic)

    response = api(admin).get(LIST, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert response.json()["next"] is not None


def test_page_size_of_100_is_allowed(api, admin, patient):
    assert api(admin).get(LIST, {"page_size": 100}).status_code == 200


@pytest.mark.parametrize("page", ["999", "0", "abc"])
def test_page_out_of_range_gets_404(api, admin, patient, page):
    assert_error(api(admin).get(LIST, {"page": page}), 404, "not_found")


# Create ------------------------------------------------------------------------------------


def test_admin_creates_a_patient_with_defaults(api, admin, clinic):
    response = api(admin).post(LIST, {"first_name": "Ann", "last_name": "Smith"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == PATIENT_KEYS
    assert body["name"] == "Ann Smith"
    assert body["clinic_id"] == str(clinic.id)
    assert body["email"] == ""
    assert body["phone"] == ""
    assert body["date_of_birth"] is None
    assert body["primary_doctor"] is None
    assert body["contact_preferences"] == {"sms": True, "email": True}
    assert body["flags"] == {}
    assert Patient.objects.get(pk=body["id"]).clinic == clinic


def test_admin_creates_a_patient_with_every_field(api, admin, doctor):
    response = api(admin).post(
        LIST,
        {
            "first_name": "Ann",
            "last_name": "Smith",
            "email": "Ann.Smith@Example.org",
            "phone": "+1 (555) 010-0199",
            "date_of_birth": "1990-02-03",
            "first_visit_date": "2024-01-15",
            "primary_doctor_id": str(doctor.doctor.id),
            "contact_preferences": {"sms": False},
            "flags": {"vip": True, "needs_interpreter": "Spanish"},
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "ann.smith@example.org"
    assert body["phone"] == "+1 (555) 010-0199"
    assert body["date_of_birth"] == "1990-02-03"
    assert body["first_visit_date"] == "2024-01-15"
    assert body["primary_doctor"]["id"] == str(doctor.doctor.id)
    assert body["contact_preferences"] == {"sms": False, "email": True}
    assert body["flags"] == {"vip": True, "needs_interpreter": "Spanish"}
    created = Patient.objects.get(pk=body["id"])
    assert created.primary_doctor == doctor.doctor
    assert created.email == "ann.smith@example.org"


def test_date_of_birth_today_is_allowed(api, admin):
    today = timezone.localdate().isoformat()

    response = api(admin).post(
        LIST, {"first_name": "New", "last_name": "Born", "date_of_birth": today}
    )

    assert response.status_code == 201
    assert response.json()["date_of_birth"] == today


def test_primary_doctor_then_sees_the_new_patient(api, admin, doctor):
    created = api(admin).post(
        LIST,
        {"first_name": "Ann", "last_name": "Smith", "primary_doctor_id": str(doctor.doctor.id)},
    )
    patient_id = created.json()["id"]
    client = api(doctor)

    listed = client.get(LIST)
    read = client.get(detail(patient_id))

    assert created.status_code == 201
    assert DoctorPatientRelationship.objects.filter(
        doctor=doctor.doctor, patient_id=patient_id
    ).exists()
    assert ids(listed) == {patient_id}
    assert read.status_code == 200
    assert read.json()["name"] == "Ann Smith"


def test_patient_lands_in_the_admins_clinic_whatever_the_body_says(
    api, admin, clinic, other_clinic
):
    response = api(admin).post(
        LIST, {"first_name": "Ann", "last_name": "Smith", "clinic_id": str(other_clinic.id)}
    )

    assert response.status_code == 201
    assert Patient.objects.get(pk=response.json()["id"]).clinic == clinic


def test_primary_doctor_of_another_clinic_gets_400(api, admin, other_clinic):
    stranger = DoctorFactory(clinic=other_clinic)

    response = api(admin).post(
        LIST, {"first_name": "Ann", "last_name": "Smith", "primary_doctor_id": str(stranger.id)}
    )

    assert response.status_code == 400
    assert "primary_doctor_id" in response.json()
    assert not Patient.objects.exists()
    assert not DoctorPatientRelationship.objects.filter(doctor=stranger).exists()


def test_missing_names_get_400_naming_both(api, admin):
    response = api(admin).post(LIST, {"email": "ann@example.org"})

    assert response.status_code == 400
    assert {"first_name", "last_name"} <= set(response.json())


TOMORROW = "tomorrow"
VALID = {"first_name": "Ann", "last_name": "Smith"}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"last_name": "Smith"}, "first_name", id="first-name-missing"),
        pytest.param({"first_name": "Ann"}, "last_name", id="last-name-missing"),
        pytest.param({**VALID, "first_name": ""}, "first_name", id="first-name-blank"),
        pytest.param({**VALID, "first_name": None}, "first_name", id="first-name-null"),
        pytest.param({**VALID, "first_name": [123]}, "first_name", id="first-name-as-list"),
        pytest.param({**VALID, "first_name": {"a": 1}}, "first_name", id="first-name-as-object"),
        pytest.param({**VALID, "first_name": "An\x00n"}, "first_name", id="first-name-nul"),
        pytest.param({**VALID, "last_name": "x" * 101}, "last_name", id="last-name-too-long"),
        pytest.param({**VALID, "email": "not-an-email"}, "email", id="bad-email"),
        pytest.param({**VALID, "email": ["a@b.org"]}, "email", id="email-as-list"),
        pytest.param({**VALID, "phone": "call me maybe"}, "phone", id="phone-words"),
        pytest.param({**VALID, "phone": "12"}, "phone", id="phone-too-short"),
        pytest.param({**VALID, "phone": "(--- ---)"}, "phone", id="phone-without-digits"),
        pytest.param({**VALID, "phone": "5" * 21}, "phone", id="phone-too-long"),
        pytest.param({**VALID, "phone": ["555 0199"]}, "phone", id="phone-as-list"),
        pytest.param({**VALID, "date_of_birth": TOMORROW}, "date_of_birth", id="born-tomorrow"),
        pytest.param({**VALID, "date_of_birth": "17/05/1980"}, "date_of_birth", id="dob-format"),
        pytest.param({**VALID, "date_of_birth": "1980-02-30"}, "date_of_birth", id="dob-feb-30"),
        pytest.param({**VALID, "date_of_birth": 1980}, "date_of_birth", id="dob-as-number"),
        pytest.param({**VALID, "first_visit_date": "soon"}, "first_visit_date", id="visit-date"),
        pytest.param(
            {**VALID, "primary_doctor_id": "dr-chen"}, "primary_doctor_id", id="doctor-not-uuid"
        ),
        pytest.param(
            {**VALID, "primary_doctor_id": str(uuid.UUID(int=1))},
            "primary_doctor_id",
            id="doctor-unknown",
        ),
        pytest.param(
            {**VALID, "primary_doctor_id": ["x"]}, "primary_doctor_id", id="doctor-as-list"
        ),
        pytest.param(
            {**VALID, "primary_doctor_id": True}, "primary_doctor_id", id="doctor-as-bool"
        ),
        pytest.param(
            {**VALID, "contact_preferences": "yes"}, "contact_preferences", id="prefs-as-string"
        ),
        pytest.param(
            {**VALID, "contact_preferences": ["sms"]}, "contact_preferences", id="prefs-as-list"
        ),
        pytest.param(
            {**VALID, "contact_preferences": {"fax": True}},
            "contact_preferences",
            id="prefs-unknown-channel",
        ),
        pytest.param(
            {**VALID, "contact_preferences": {"sms": "yes"}},
            "contact_preferences",
            id="prefs-not-bool",
        ),
        pytest.param(
            {**VALID, "contact_preferences": None}, "contact_preferences", id="prefs-null"
        ),
        pytest.param({**VALID, "flags": "vip"}, "flags", id="flags-as-string"),
        pytest.param({**VALID, "flags": ["vip"]}, "flags", id="flags-as-list"),
        pytest.param({**VALID, "flags": {"vip": {"level": 2}}}, "flags", id="flags-nested"),
        pytest.param({**VALID, "flags": {"note": "x" * 201}}, "flags", id="flag-too-long"),
        pytest.param(
            {**VALID, "flags": {f"flag{i}": True for i in range(21)}}, "flags", id="21-flags"
        ),
    ],
)
def test_invalid_patient_create_gets_400_naming_the_field(api, admin, payload, field):
    if payload.get("date_of_birth") == TOMORROW:
        payload = {**payload, "date_of_birth": str(timezone.localdate() + timedelta(days=1))}

    response = api(admin).post(LIST, payload)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"first_name": "Ann", ', id="truncated"),
        pytest.param("{'first_name': 'Ann'}", id="single-quotes"),
        pytest.param("not json at all", id="plain-text"),
    ],
)
def test_malformed_json_on_patient_create_gets_400(api, admin, body):
    response = api(admin).post(LIST, body, content_type="application/json")

    assert_error(response, 400, "parse_error")
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    "body",
    [pytest.param(["Ann", "Smith"], id="list"), pytest.param("Ann Smith", id="string")],
)
def test_patient_body_that_is_not_an_object_gets_400(api, admin, body):
    response = api(admin).post(LIST, body)

    assert response.status_code == 400
    assert not Patient.objects.exists()


@pytest.mark.parametrize("persona", ["doctor", "owner"])
def test_non_admin_gets_403_on_patient_create(request, api, persona):
    user = request.getfixturevalue(persona)

    response = api(user).post(LIST, VALID)

    assert_error(response, 403, "forbidden_role")
    assert not Patient.objects.exists()


def test_anonymous_gets_401_on_patient_create(anon, clinic):
    assert_error(anon.post(LIST, VALID), 401, "not_authenticated")
    assert not Patient.objects.exists()


def test_outsider_creates_patients_only_in_their_own_clinic(
    api, outsider_admin, clinic, other_clinic
):
    response = api(outsider_admin).post(LIST, {**VALID, "clinic_id": str(clinic.id)})

    assert response.status_code == 201
    assert Patient.objects.get(pk=response.json()["id"]).clinic == other_clinic


def test_outsider_cannot_make_our_doctor_their_patients_primary(api, outsider_admin, doctor):
    response = api(outsider_admin).post(LIST, {**VALID, "primary_doctor_id": str(doctor.doctor.id)})

    assert response.status_code == 400
    assert "primary_doctor_id" in response.json()
    assert not DoctorPatientRelationship.objects.exists()


# Retrieve --------------------------------------------------------------------------------


def test_admin_reads_a_patient(api, admin, patient):
    response = api(admin).get(detail(patient.id))

    assert response.status_code == 200
    assert set(response.json()) == PATIENT_KEYS
    assert response.json()["id"] == str(patient.id)
    assert response.json()["email"] == "ann.smith@example.org"


def test_related_doctor_reads_their_patient(api, doctor, doctors_patient):
    response = api(doctor).get(detail(doctors_patient.id))

    assert response.status_code == 200
    assert response.json()["name"] == "Ann Smith"


def test_unrelated_doctor_gets_404_for_a_patient(api, other_doctor, doctors_patient):
    assert_error(api(other_doctor).get(detail(doctors_patient.id)), 404, "not_found")


def test_owner_gets_403_on_patient_detail(api, owner, patient):
    response = api(owner).get(detail(patient.id))

    assert_error(response, 403, "forbidden_role")
    assert "Smith" not in response.content.decode()


def test_anonymous_gets_401_on_patient_detail(anon, patient):
    assert_error(anon.get(detail(patient.id)), 401, "not_authenticated")


def test_outsider_gets_404_for_our_patient(api, outsider_admin, patient):
    assert_error(api(outsider_admin).get(detail(patient.id)), 404, "not_found")


def test_admin_gets_404_for_another_clinics_patient(api, admin, outsider_patient):
    assert_error(api(admin).get(detail(outsider_patient.id)), 404, "not_found")


@pytest.mark.parametrize("patient_id", ["ann-smith", "42", "0" * 31, str(uuid.uuid4())])
def test_unknown_or_malformed_patient_id_gets_404(api, admin, patient, patient_id):
    assert_error(api(admin).get(detail(patient_id)), 404, "not_found")


# Update ----------------------------------------------------------------------------------


def test_admin_updates_a_patient_and_only_the_keys_sent_change(api, admin, patient):
    response = api(admin).put(detail(patient.id), {"phone": "+1 555 777 8888"})

    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "+1 555 777 8888"
    assert response.json()["first_name"] == "Ann"
    patient.refresh_from_db()
    assert patient.phone == "+1 555 777 8888"
    assert (patient.first_name, patient.last_name) == ("Ann", "Smith")
    assert patient.email == "ann.smith@example.org"
    assert str(patient.date_of_birth) == "1980-05-17"


def test_admin_sets_a_primary_doctor_who_then_sees_the_patient(api, admin, doctor, patient):
    response = api(admin).put(detail(patient.id), {"primary_doctor_id": str(doctor.doctor.id)})

    assert response.status_code == 200, response.content
    assert response.json()["primary_doctor"]["id"] == str(doctor.doctor.id)
    assert Patient.objects.get(pk=patient.pk).primary_doctor == doctor.doctor
    assert api(doctor).get(detail(patient.id)).status_code == 200


def test_admin_clears_the_primary_doctor(api, admin, doctor, clinic):
    patient = PatientFactory(clinic=clinic, primary_doctor=doctor.doctor)

    response = api(admin).put(detail(patient.id), {"primary_doctor_id": None})

    assert response.status_code == 200
    assert response.json()["primary_doctor"] is None
    assert Patient.objects.get(pk=patient.pk).primary_doctor is None


def test_patient_update_cannot_move_a_patient_to_another_clinic(api, admin, patient, other_clinic):
    response = api(admin).put(detail(patient.id), {"clinic_id": str(other_clinic.id)})

    assert response.status_code == 200
    assert Patient.objects.get(pk=patient.pk).clinic_id == patient.clinic_id


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param({"first_name": ""}, "first_name", id="first-name-blank"),
        pytest.param({"last_name": None}, "last_name", id="last-name-null"),
        pytest.param({"email": "ann@"}, "email", id="bad-email"),
        pytest.param({"phone": "phone"}, "phone", id="bad-phone"),
        pytest.param({"date_of_birth": "2999-01-01"}, "date_of_birth", id="born-in-future"),
        pytest.param({"contact_preferences": "yes"}, "contact_preferences", id="prefs"),
        pytest.param({"primary_doctor_id": "dr-chen"}, "primary_doctor_id", id="doctor-not-uuid"),
    ],
)
def test_invalid_patient_update_gets_400_naming_the_field(api, admin, patient, payload, field):
    response = api(admin).put(detail(patient.id), payload)

    assert response.status_code == 400, response.content
    assert field in response.json()
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name) == ("Ann", "Smith")
    assert patient.email == "ann.smith@example.org"


def test_patient_update_to_another_clinics_doctor_gets_400(api, admin, patient, other_clinic):
    stranger = DoctorFactory(clinic=other_clinic)

    response = api(admin).put(detail(patient.id), {"primary_doctor_id": str(stranger.id)})

    assert response.status_code == 400
    assert "primary_doctor_id" in response.json()
    assert Patient.objects.get(pk=patient.pk).primary_doctor is None


def test_malformed_json_on_patient_update_gets_400(api, admin, patient):
    response = api(admin).put(detail(patient.id), '{"phone": ', content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_related_doctor_gets_403_on_patient_update(api, doctor, doctors_patient):
    response = api(doctor).put(detail(doctors_patient.id), {"first_name": "Anne"})

    assert_error(response, 403, "forbidden_role")
    assert Patient.objects.get(pk=doctors_patient.pk).first_name == "Ann"


def test_owner_gets_403_on_patient_update(api, owner, patient):
    response = api(owner).put(detail(patient.id), {"first_name": "Anne"})

    assert_error(response, 403, "forbidden_role")
    assert Patient.objects.get(pk=patient.pk).first_name == "Ann"


def test_anonymous_gets_401_on_patient_update(anon, patient):
    response = anon.put(detail(patient.id), {"first_name": "Anne"})

    assert_error(response, 401, "not_authenticated")
    assert Patient.objects.get(pk=patient.pk).first_name == "Ann"


def test_outsider_gets_404_updating_our_patient(api, outsider_admin, patient):
    response = api(outsider_admin).put(detail(patient.id), {"first_name": "Anne"})

    assert_error(response, 404, "not_found")
    assert Patient.objects.get(pk=patient.pk).first_name == "Ann"


# Query counts -----------------------------------------------------------------------------

# Session auth (session + user + clinic + settings + doctor in one join), count, page
# (primary doctor joined in).
PATIENT_LIST_QUERIES = 3


@pytest.mark.parametrize("rows", [5, 50])
def test_admin_patient_list_query_count_does_not_grow_with_rows(
    api, admin, clinic, doctor, rows, django_assert_max_num_queries
):
    PatientFactory.create_batch(rows, clinic=clinic, primary_doctor=doctor.doctor)
    client = api(admin)

    with django_assert_max_num_queries(PATIENT_LIST_QUERIES):
        response = client.get(LIST, {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_doctor_patient_list_query_count_does_not_grow_with_rows(
    api, doctor, clinic, rows, django_assert_max_num_queries
):
    DoctorPatientRelationshipFactory.create_batch(
        rows, doctor=doctor.doctor, patient__primary_doctor=doctor.doctor
    )
    PatientFactory.create_batch(rows, clinic=clinic)
    client = api(doctor)

    with django_assert_max_num_queries(PATIENT_LIST_QUERIES):
        response = client.get(LIST, {"page_size": 100})

    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
