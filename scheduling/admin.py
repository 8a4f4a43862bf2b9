from django.contrib import admin

from scheduling.models import Appointment, Cancellation


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = [
        "scheduled_date",
        "start_time",
        "patient",
        "doctor",
        "status",
        "intake_status",
        "visit_type",
    ]
    list_select_related = ["patient", "doctor"]
    list_filter = ["status", "intake_status", "visit_type", "visit_category", "clinic", "doctor"]
    search_fields = ["patient__first_name", "patient__last_name", "doctor__name", "visit_reason"]
    raw_id_fields = ["clinic", "doctor", "patient", "intake_form", "created_by"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "scheduled_date"


@admin.register(Cancellation)
class CancellationAdmin(admin.ModelAdmin):
    list_display = [
        "original_date",
        "original_time",
        "patient",
        "doctor",
        "cancellation_type",
        "cancelled_by_name",
    ]
    list_select_related = ["patient", "doctor"]
    list_filter = ["cancellation_type", "clinic"]
    search_fields = [
        "patient__first_name",
        "patient__last_name",
        "reason_note",
        "cancelled_by_name",
    ]
    raw_id_fields = ["appointment", "clinic", "patient", "doctor", "cancelled_by"]
    date_hierarchy = "created_at"
