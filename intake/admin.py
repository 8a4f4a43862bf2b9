from django.contrib import admin

from intake.models import IntakeFormTemplate, IntakeSubmission, IntakeToken
from intake.services import submission_regenerate_summary


@admin.register(IntakeFormTemplate)
class IntakeFormTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "clinic", "version", "is_active", "updated_at"]
    list_select_related = ["clinic"]
    list_filter = ["is_active", "clinic"]
    search_fields = ["name", "description"]
    raw_id_fields = ["clinic"]


@admin.register(IntakeSubmission)
class IntakeSubmissionAdmin(admin.ModelAdmin):
    """The summary status is here so a failed summary can be spotted and regenerated."""

    list_display = [
        "patient",
        "appointment",
        "submitted_at",
        "ai_summary_status",
        "ai_summary_source",
    ]
    list_select_related = ["patient", "appointment"]
    list_filter = ["ai_summary_status", "ai_summary_source", "clinic"]
    search_fields = ["patient__first_name", "patient__last_name"]
    raw_id_fields = ["clinic", "template", "appointment", "patient"]
    readonly_fields = ["ai_summary_generated_at", "ai_summary_error", "submitted_at", "created_at"]
    date_hierarchy = "submitted_at"
    actions = ["regenerate_summary"]

    @admin.action(description="Regenerate the AI summary")
    def regenerate_summary(self, request, queryset):
        for submission in queryset:
            submission_regenerate_summary(submission=submission)
        self.message_user(request, f"Queued {queryset.count()} summaries.")


@admin.register(IntakeToken)
class IntakeTokenAdmin(admin.ModelAdmin):
    list_display = ["appointment", "patient", "expires_at", "used_at", "revoked_at", "created_at"]
    list_select_related = ["appointment", "patient"]
    list_filter = [
        ("used_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["patient__first_name", "patient__last_name"]
    raw_id_fields = ["appointment", "patient", "template"]
    readonly_fields = ["token", "created_at"]
