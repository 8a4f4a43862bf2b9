"""Reads of clinics and doctors, scoped to the person asking."""

from django.db.models import QuerySet

from accounts.models import Clinic, Doctor, User


def clinic_list(*, user: User) -> QuerySet[Clinic]:
    """Every role sees its own clinic, and no other."""
    return Clinic.objects.select_related("settings").filter(pk=user.clinic_id)


def doctor_list(*, user: User, is_active: bool | None = None) -> QuerySet[Doctor]:
    """Admins see every doctor of their clinic; a doctor sees only their own profile;
    owners see none (the view refuses them first)."""
    doctors = Doctor.objects.visible_to(user).select_related("settings")
    if is_active is not None:
        doctors = doctors.filter(is_active=is_active)
    return doctors


def user_list(*, user: User) -> QuerySet[User]:
    """The staff accounts of the caller's clinic (the view admits admins only)."""
    return (
        User.objects.filter(clinic_id=user.clinic_id)
        .select_related("doctor")
        .order_by("role", "last_name", "first_name", "email")
    )
