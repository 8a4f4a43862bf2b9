"""Writes for clinics, doctors and sign-in sessions."""

import uuid
from datetime import timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.errors import InvalidCredentials, InvalidRefreshToken
from accounts.models import (
    Clinic,
    ClinicSettings,
    Doctor,
    DoctorSettings,
    Role,
    Session,
    User,
    VisitType,
)
from accounts.tokens import SESSION_CLAIM, issue_tokens
from clinicflow import events
from clinicflow.db import save_changes
from clinicflow.exceptions import Conflict

# Sessions ---------------------------------------------------------------------


def auth_login(*, email: str, password: str, ip_address: str | None = None, user_agent: str = ""):
    """Checks the password and opens a session; returns (user, access, refresh).

    Unknown email, wrong password, a disabled account or one outside any clinic
    all fail the same way.
    """
    user = authenticate(username=email.strip().lower(), password=password)
    if user is None or user.clinic_id is None:
        raise InvalidCredentials()
    user = User.objects.select_related("clinic__settings", "doctor").get(pk=user.pk)
    access, refresh = session_start(user=user, ip_address=ip_address, user_agent=user_agent)
    return user, access, refresh


def session_start(*, user: User, ip_address: str | None = None, user_agent: str = ""):
    """Opens a session that lasts the clinic's ``session_timeout``; returns (access, refresh)."""
    session = Session(
        user=user,
        expires_at=timezone.now() + timedelta(minutes=user.clinic.settings.session_timeout),
        ip_address=ip_address,
        user_agent=user_agent[:255],
    )
    access, refresh, session.token = issue_tokens(user=user, session=session)
    session.save(force_insert=True)
    return access, refresh


def auth_refresh(*, refresh: str) -> tuple[str, str]:
    """Rotates a refresh token: the old one is spent, even when many race for it.

    The swap is one conditional UPDATE on the session's current jti, so of several
    concurrent refreshes with the same token exactly one matches a row.
    """
    try:
        old = RefreshToken(refresh, verify=True)
        session_id = uuid.UUID(str(old[SESSION_CLAIM]))
        old_jti = old["jti"]
    except (TokenError, KeyError, ValueError):
        raise InvalidRefreshToken() from None

    now = timezone.now()
    session = (
        Session.objects.live().select_related("user").filter(pk=session_id, token=old_jti).first()
    )
    if session is None:
        raise InvalidRefreshToken()
    access, new_refresh, new_jti = issue_tokens(user=session.user, session=session)
    swapped = Session.objects.filter(pk=session.pk, token=old_jti, revoked_at__isnull=True).update(
        token=new_jti, last_used_at=now
    )
    if swapped != 1:
        raise InvalidRefreshToken()
    return access, new_refresh


def auth_logout(*, session: Session) -> None:
    Session.objects.filter(pk=session.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    events.disconnect_session(session.pk)


def user_sessions_end(*, user: User, keep: Session | None = None) -> int:
    """Ends every live session of ``user`` but ``keep`` (disable, password change)."""
    sessions = Session.objects.filter(user=user, revoked_at__isnull=True)
    if keep is not None:
        sessions = sessions.exclude(pk=keep.pk)
    return sessions.update(revoked_at=timezone.now())


# Clinics ------------------------------------------------------------------------

CLINIC_PROFILE_FIELDS = ("name", "timezone", "phone")


@transaction.atomic
def clinic_create(
    *,
    name: str,
    timezone_name: str,
    admin_email: str,
    admin_password: str,
    admin_first_name: str = "",
    admin_last_name: str = "",
    phone: str = "",
) -> Clinic:
    """A clinic with its settings row and its first admin."""
    email = admin_email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"admin_email": "A user with this email already exists."})
    clinic = Clinic.objects.create(name=name, timezone=timezone_name, phone=phone.strip())
    ClinicSettings.objects.create(clinic=clinic)
    admin = User(
        email=email,
        role=Role.ADMIN,
        clinic=clinic,
        first_name=admin_first_name,
        last_name=admin_last_name,
    )
    try:
        validate_password(admin_password, user=admin)
    except ValidationError as exc:
        raise ValidationError({"admin_password": exc.messages}) from None
    admin.set_password(admin_password)
    admin.save()
    return clinic


@transaction.atomic
def clinic_update(*, clinic: Clinic, data: dict) -> Clinic:
    """Updates the profile (``clinics``) and the hours/rules (``clinic_settings``)
    from one partial dict; each key goes to the one table that holds it."""
    save_changes(clinic, {k: v for k, v in data.items() if k in CLINIC_PROFILE_FIELDS})
    save_changes(clinic.settings, {k: v for k, v in data.items() if k not in CLINIC_PROFILE_FIELDS})
    return clinic


# Doctors --------------------------------------------------------------------------

DOCTOR_PROFILE_FIELDS = (
    "name",
    "initials",
    "specialty",
    "color",
    "default_visit_length",
    "is_active",
)
DOCTOR_PREFERENCE_FIELDS = (
    "working_hours_override",
    "supported_visit_types",
    "allow_walk_ins",
    "allow_forced_booking",
    "ai_calls_enabled",
)


def _visit_types(data: dict, current: set[str]) -> dict:
    """Resolves ``supported_visit_types`` and ``allows_virtual_visits`` (either may be
    sent alone) against the doctor's current visit types; a doctor offers at least one."""
    types = data.pop("supported_visit_types", None)
    virtual = data.pop("allows_virtual_visits", None)
    if types is None and virtual is None:
        return data
    chosen = set(types) if types is not None else set(current)
    if virtual is not None:
        chosen = chosen | {VisitType.VIRTUAL} if virtual else chosen - {VisitType.VIRTUAL}
    if not chosen:
        raise ValidationError(
            {"supported_visit_types": "A doctor must offer at least one visit type."}
        )
    return {**data, "supported_visit_types": [t for t in VisitType.values if t in chosen]}


def _initials(name: str) -> str:
    words = [w for w in name.replace("Dr.", "").split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words)[:4]


@transaction.atomic
def doctor_create(*, clinic: Clinic, data: dict, user: User | None = None) -> Doctor:
    data = _visit_types(dict(data), current=set(VisitType.values))
    profile = {k: v for k, v in data.items() if k in DOCTOR_PROFILE_FIELDS}
    preferences = {k: v for k, v in data.items() if k in DOCTOR_PREFERENCE_FIELDS}
    if user is not None:
        if user.clinic_id != clinic.id or user.role != Role.DOCTOR:
            raise ValidationError({"user_id": "Must be a doctor user of this clinic."})
        if Doctor.objects.filter(user=user).exists():
            raise ValidationError({"user_id": "This user already has a doctor profile."})
    profile.setdefault("initials", _initials(profile.get("name", "")))
    doctor = Doctor.objects.create(clinic=clinic, user=user, **profile)
    DoctorSettings.objects.create(doctor=doctor, **preferences)
    return doctor


@transaction.atomic
def doctor_update(*, doctor: Doctor, by: User, data: dict) -> Doctor:
    """Partial update of a doctor's profile and preferences, each in its own table.

    An admin may change any doctor of the clinic; a doctor their own, except
    ``is_active``."""
    if by.clinic_id != doctor.clinic_id or not (by.is_admin or doctor.user_id == by.id):
        raise PermissionDenied("You may change only your own profile.")
    if "is_active" in data and not by.is_admin:
        raise PermissionDenied("Only an admin can activate or deactivate a doctor.")
    data = _visit_types(dict(data), current=set(doctor.settings.supported_visit_types))
    save_changes(doctor, {k: v for k, v in data.items() if k in DOCTOR_PROFILE_FIELDS})
    save_changes(doctor.settings, {k: v for k, v in data.items() if k in DOCTOR_PREFERENCE_FIELDS})
    return doctor


# Users ----------------------------------------------------------------------------------


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


def _check_email_free(email: str, *, exclude: User | None = None) -> None:
    taken = User.objects.filter(email__iexact=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"email": "A user with this email already exists."})


@transaction.atomic
def user_create(
    *,
    clinic: Clinic,
    email: str,
    password: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    doctor_details: dict | None = None,
) -> User:
    """A staff account of the clinic; a doctor account gets its doctor profile in
    the same transaction."""
    email = email.strip().lower()
    _check_email_free(email)
    user = User(email=email, role=role, clinic=clinic, first_name=first_name, last_name=last_name)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    if role == Role.DOCTOR:
        details = {"name": f"Dr. {first_name} {last_name}".strip(), **(doctor_details or {})}
        doctor_create(clinic=clinic, data=details, user=user)
    return user


@transaction.atomic
def user_update(*, user: User, data: dict, by_session: Session | None = None) -> User:
    """Name, email and password. A new password ends the user's sessions, except
    ``by_session`` when it is theirs (changing your own password keeps you in)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if "email" in data:
        data["email"] = data["email"].strip().lower()
        _check_email_free(data["email"], exclude=user)
    password = data.pop("password", None)
    for key, value in data.items():
        setattr(user, key, value)
    if password is not None:
        _check_password(password, user)
        user.set_password(password)
    user.save()
    if password is not None:
        keep = by_session if by_session is not None and by_session.user_id == user.pk else None
        user_sessions_end(user=user, keep=keep)
    return user


def _active_admins(clinic_id):
    return User.objects.filter(clinic_id=clinic_id, role=Role.ADMIN, is_active=True)


@transaction.atomic
def user_disable(*, user: User, by: User) -> User:
    """Disables an account: it cannot sign in, and every token and socket it holds
    stops working at once. Nobody disables themselves or the clinic's last admin."""
    if user.pk == by.pk:
        raise Conflict("You cannot disable your own account.", code="cannot_disable_self")
    # The clinic's active admins are locked first, always in the same order, so two
    # admins disabling each other queue up (no deadlock) and cannot both win.
    admins = list(
        _active_admins(user.clinic_id)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == Role.ADMIN and user.is_active and admins == [user.pk]:
        raise Conflict("A clinic keeps at least one active admin.", code="last_admin")
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])
    user_sessions_end(user=user)
    events.disconnect_user(user.pk)
    return user


def user_enable(*, user: User) -> User:
    User.objects.filter(pk=user.pk).update(is_active=True, updated_at=timezone.now())
    user.refresh_from_db()
    return user
