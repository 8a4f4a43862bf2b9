from django.contrib import admin

from notes.models import DoctorNote, FollowUp


@admin.register(DoctorNote)
class DoctorNoteAdmin(admin.ModelAdmin):
    list_display = ["patient", "doctor", "appointment", "created_at"]
    list_select_related = ["patient", "doctor", "appointment"]
    list_filter = ["doctor", "clinic"]
    search_fields = ["patient__first_name", "patient__last_name", "doctor__name"]
    raw_id_fields = ["clinic", "doctor", "patient", "appointment"]
    date_hierarchy = "created_at"


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["patient", "doctor", "scheduled_date", "status", "follow_up_appointment"]
    list_select_related = ["patient", "doctor", "follow_up_appointment"]
    list_filter = ["status", "doctor", "clinic"]
    search_fields = ["patient__first_name", "patient__last_name", "doctor__name", "note"]
    raw_id_fields = [
        "clinic",
        "patient",
        "appointment",
        "doctor",
        "follow_up_appointment",
        "created_by",
    ]
    date_hierarchy = "scheduled_date"
