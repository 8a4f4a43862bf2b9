from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinicflow.db import ClinicQuerySet, TimestampedModel, UUIDModel
from clinicflow.env import known_time_zones


def default_working_days() -> dict:
    return {
        "monday": True,
        "tuesday": True,
        "wednesday": True,
        "thursday": True,
        "friday": True,
        "saturday": False,
        "sunday": False,
    }


def default_clinic_hours() -> dict:
    return {"start": "09:00", "end": "17:00"}


def default_visit_types() -> list:
    return ["in_clinic", "virtual"]


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(f"{value!r} is not a known time zone.")


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    DOCTOR = "doctor", "Doctor"
    OWNER = "owner", "Owner"


class VisitType(models.TextChoices):
    IN_CLINIC = "in_clinic", "In clinic"
    VIRTUAL = "virtual", "Virtual"


class Clinic(TimestampedModel):
    """A practice: its profile. Hours and rules live in ``ClinicSettings``."""

    name = models.CharField(max_length=255)
    timezone = models.CharField(
        max_length=50, default="America/New_York", validators=[validate_time_zone]
    )
    # Shown to patients where a link cannot help them ("call us at ..."); optional.
    phone = models.CharField(max_length=30, blank=True, default="")

    class Meta:
        db_table = "clinics"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ClinicSettings(UUIDModel):
    """One row per clinic: working days and hours, slot size and every rule.

    The guide also lists hours on ``clinics``; this table is where they live.
    """

    class IntakeDeliveryPath(models.TextChoices):
        AUTOMATIC = "automatic", "Automatic"
        MANUAL = "manual", "Manual"
        ASK_EVERY_TIME = "ask_every_time", "Ask every time"

    class SlotSize(models.IntegerChoices):
        MIN_15 = 15, "15 minutes"
        MIN_30 = 30, "30 minutes"
        MIN_45 = 45, "45 minutes"

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="settings")

    working_days = models.JSONField(default=default_working_days)
    clinic_hours = models.JSONField(default=default_clinic_hours)
    slot_size = models.PositiveSmallIntegerField(choices=SlotSize.choices, default=SlotSize.MIN_30)

    allow_overlapping = models.BooleanField(default=False)
    allow_walk_ins = models.BooleanField(default=True)
    require_provider = models.BooleanField(default=True)
    allow_admin_override = models.BooleanField(default=True)
    minimum_cancellation_notice = models.PositiveIntegerField(default=60, help_text="Minutes.")
    auto_no_show_threshold = models.PositiveIntegerField(
        default=15, help_text="Minutes after the start time."
    )
    cancellation_reason_required = models.BooleanField(default=True)

    intake_required = models.BooleanField(default=True)
    lock_appointment_if_missing = models.BooleanField(default=False)
    allow_manual_completion = models.BooleanField(default=True)
    intake_delivery_path = models.CharField(
        max_length=20, choices=IntakeDeliveryPath.choices, default=IntakeDeliveryPath.AUTOMATIC
    )

    notify_unconfirmed = models.BooleanField(default=True)
    notify_missing_intake = models.BooleanField(default=True)
    notify_cancellations = models.BooleanField(default=True)
    notify_no_shows = models.BooleanField(default=True)
    notify_via_app = models.BooleanField(default=True)
    notify_via_email = models.BooleanField(default=False)

    date_format = models.CharField(max_length=20, default="MM/DD/YYYY")
    time_format = models.CharField(max_length=10, default="12h")
    default_dashboard_view = models.CharField(max_length=20, default="dashboard")
    auto_refresh_interval = models.PositiveIntegerField(default=30, help_text="Seconds; 0 = off.")

    session_timeout = models.PositiveIntegerField(default=480, help_text="Minutes.")

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "clinic_settings"
        verbose_name_plural = "clinic settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_size__in=[15, 30, 45]), name="accounts_clinicsettings_slot_size"
            ),
            models.CheckConstraint(
                condition=Q(session_timeout__gte=5), name="accounts_clinicsettings_session_timeout"
            ),
        ]

    def __str__(self):
        return f"Settings of {self.clinic}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        """Platform operators for /admin/; they belong to no clinic and cannot use the API."""
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("role", Role.ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(UUIDModel, AbstractBaseUser, PermissionsMixin):
    """A member of a clinic's staff; signs in with email and password."""

    email = models.EmailField(max_length=255, unique=True)
    password = models.CharField(max_length=128, db_column="password_hash")
    role = models.CharField(max_length=10, choices=Role.choices)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to /admin/.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        db_table = "users"
        ordering = ["last_name", "first_name", "email"]
        indexes = [models.Index(fields=["clinic", "role"], name="users_clinic_role_idx")]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_doctor(self) -> bool:
        return self.role == Role.DOCTOR

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class SessionQuerySet(models.QuerySet):
    def live(self):
        """Not revoked, not expired, of an active user."""
        return self.filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True
        )


class Session(UUIDModel):
    """A sign-in: one refresh chain. Access and refresh tokens carry its id.

    ``token`` holds the ``jti`` of the one refresh token that may still be used
    (useless without the signing key); rotating replaces it, so a used refresh
    token no longer matches.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    token = models.CharField(max_length=500)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        db_table = "sessions"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="sessions_user_live_idx")]

    def __str__(self):
        return f"Session of {self.user} from {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class DoctorQuerySet(ClinicQuerySet):
    """Admins see the clinic's doctors; a doctor their own profile; owners none."""

    doctor_lookup = "user"


class Doctor(TimestampedModel):
    """A doctor's profile in a clinic. Hours and visit types live in ``DoctorSettings``."""

    class VisitLength(models.IntegerChoices):
        MIN_15 = 15, "15 minutes"
        MIN_30 = 30, "30 minutes"
        MIN_45 = 45, "45 minutes"
        MIN_60 = 60, "60 minutes"

    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="doctor"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="doctors")
    name = models.CharField(max_length=255)
    initials = models.CharField(max_length=10, blank=True)
    specialty = models.CharField(max_length=100, blank=True)
    color = models.CharField(max_length=20, blank=True, help_text="Calendar colour, e.g. #3B82F6.")
    default_visit_length = models.PositiveSmallIntegerField(
        choices=VisitLength.choices, default=VisitLength.MIN_30
    )
    is_active = models.BooleanField(default=True)

    objects = DoctorQuerySet.as_manager()

    class Meta:
        db_table = "doctors"
        ordering = ["name"]
        indexes = [models.Index(fields=["clinic", "is_active"], name="doctors_clinic_active_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_visit_length__in=[15, 30, 45, 60]),
                name="accounts_doctor_visit_length",
            ),
        ]

    def __str__(self):
        return self.name


class DoctorSettings(UUIDModel):
    """A doctor's own preferences: hours that override the clinic's, visit types, walk-ins."""

    doctor = models.OneToOneField(Doctor, on_delete=models.CASCADE, related_name="settings")
    working_hours_override = models.JSONField(
        null=True, blank=True, help_text='{"start": "HH:MM", "end": "HH:MM"}; empty = clinic hours.'
    )
    supported_visit_types = models.JSONField(default=default_visit_types)
    allow_walk_ins = models.BooleanField(default=True)
    allow_forced_booking = models.BooleanField(default=True)
    ai_calls_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "doctor_settings"
        verbose_name_plural = "doctor settings"

    def __str__(self):
        return f"Settings of {self.doctor}"

    @property
    def allows_virtual_visits(self) -> bool:
        return VisitType.VIRTUAL in self.supported_visit_types
