from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Clinic, ClinicSettings, Doctor, DoctorSettings, Session, User


class ClinicSettingsInline(admin.StackedInline):
    model = ClinicSettings
    can_delete = False


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "created_at"]
    search_fields = ["name"]
    list_filter = ["timezone"]
    inlines = [ClinicSettingsInline]


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "clinic",
        "slot_size",
        "allow_overlapping",
        "intake_required",
        "session_timeout",
    ]
    list_select_related = ["clinic"]
    search_fields = ["clinic__name"]
    list_filter = ["slot_size", "allow_overlapping", "intake_required"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "clinic", "is_active", "last_login"]
    list_select_related = ["clinic"]
    list_filter = ["role", "is_active", "is_staff", "clinic"]
    search_fields = ["email", "first_name", "last_name", "clinic__name"]
    raw_id_fields = ["clinic"]
    readonly_fields = ["last_login", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Clinic", {"fields": ["clinic", "role", "first_name", "last_name"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "clinic", "role", "password1", "password2"]},
        ),
    ]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """Sign-in sessions; set ``revoked_at`` to end one at once."""

    list_display = ["user", "created_at", "expires_at", "revoked_at", "ip_address"]
    list_select_related = ["user"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "ip_address"]
    raw_id_fields = ["user"]
    readonly_fields = ["token", "created_at", "last_used_at", "ip_address", "user_agent"]
    date_hierarchy = "created_at"


class DoctorSettingsInline(admin.StackedInline):
    model = DoctorSettings
    can_delete = False


@admin.register(Doctor)
class DoctorAdmin(admin.ModelAdmin):
    list_display = ["name", "clinic", "specialty", "default_visit_length", "is_active"]
    list_select_related = ["clinic"]
    list_filter = ["is_active", "specialty", "clinic"]
    search_fields = ["name", "specialty", "user__email", "clinic__name"]
    raw_id_fields = ["user", "clinic"]
    inlines = [DoctorSettingsInline]


@admin.register(DoctorSettings)
class DoctorSettingsAdmin(admin.ModelAdmin):
    list_display = ["doctor", "allow_walk_ins", "allow_forced_booking", "ai_calls_enabled"]
    list_select_related = ["doctor"]
    search_fields = ["doctor__name"]
    raw_id_fields = ["doctor"]
