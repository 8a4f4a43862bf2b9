"""What ``Model.objects.visible_to(user)`` shows each persona, for the visibility
tests of every app: rows that belong to Dr. Chen (``doctor``), to Dr. Patel
(``other_doctor``), to a doctor of the other clinic, and to nobody in particular."""

from tests.factories import DoctorFactory

PERSONAS = ("admin", "doctor", "other_doctor", "owner", "outsider_admin")

# The usual rule: an admin the clinic's rows, a doctor their own, owners none.
BY_DOCTOR = {
    "admin": {"chens", "patels", "nobodys"},
    "doctor": {"chens"},
    "other_doctor": {"patels"},
    "owner": set(),
    "outsider_admin": {"uptown"},
}


def doctors(doctor, other_doctor, other_clinic) -> dict:
    """The doctor profiles the rows of a test belong to, by name."""
    return {
        "chens": doctor.doctor,
        "patels": other_doctor.doctor,
        "uptown": DoctorFactory(clinic=other_clinic, name="Dr. Uptown"),
    }


def seen(rows: dict, queryset) -> set[str]:
    """The names of ``rows`` that ``queryset`` holds."""
    ids = set(queryset.values_list("pk", flat=True))
    return {name for name, row in rows.items() if row.pk in ids}
