from django.contrib import admin

from patients.models import AIInteraction, DoctorPatientRelationship, Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["__str__", "clinic", "email", "phone", "date_of_birth", "primary_doctor"]
    list_select_related = ["clinic", "primary_doctor"]
    list_filter = ["clinic", "primary_doctor"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    raw_id_fields = ["clinic", "primary_doctor"]


@admin.register(DoctorPatientRelationship)
class DoctorPatientRelationshipAdmin(admin.ModelAdmin):
    list_display = ["doctor", "patient", "first_visit_date", "last_visit_date"]
    list_select_related = ["doctor", "patient"]
    list_filter = ["doctor"]
    search_fields = ["doctor__name", "patient__first_name", "patient__last_name"]
    raw_id_fields = ["doctor", "patient"]


@admin.register(AIInteraction)
class AIInteractionAdmin(admin.ModelAdmin):
    list_display = ["patient", "interaction_type", "direction", "channel", "outcome", "started_at"]
    list_select_related = ["patient"]
    list_filter = ["interaction_type", "direction", "channel", "outcome", "clinic"]
    search_fields = ["patient__first_name", "patient__last_name", "summary"]
    raw_id_fields = ["clinic", "patient", "appointment"]
    date_hierarchy = "started_at"
