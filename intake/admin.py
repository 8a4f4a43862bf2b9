from django.contrib import admin
from django.utils.html import format_html, format_html_join

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
    """The summary status is here so a failed summary, or one the check flagged for
    review, can be spotted and regenerated; each line shows the answers it came from."""

    list_display = [
        "patient",
        "appointment",
        "submitted_at",
        "ai_summary_status",
        "ai_summary_source",
        "ai_summary_needs_review",
        "ai_summary_attempts",
    ]
    list_select_related = ["patient", "appointment"]
    list_filter = [
        "ai_summary_status",
        "ai_summary_source",
        "ai_summary_needs_review",
        "ai_summary_attempts",
        ("ai_summary_requested_at", admin.DateFieldListFilter),
        "clinic",
    ]
    search_fields = ["patient__first_name", "patient__last_name"]
    raw_id_fields = ["clinic", "template", "appointment", "patient"]
    readonly_fields = [
        "summary_lines",
        "ai_summary_needs_review",
        "ai_summary_requested_at",
        "ai_summary_attempts",
        "ai_summary_generated_at",
        "ai_summary_error",
        "submitted_at",
        "created_at",
    ]
    exclude = ["ai_summary_sources"]

    @admin.display(description="Summary, line by line, with the answers each came from")
    def summary_lines(self, submission):
        if not submission.ai_summary_sources:
            return "—"
        labels = {field["key"]: field["label"] for field in submission.template_fields}
        rows = format_html_join(
            "",
            "<tr><td>{}{}</td><td>{}</td></tr>",
            (
                (
                    "⚠ " if line["flagged"] else "",
                    line["bullet"],
                    "; ".join(
                        f"{key} ({labels.get(key, 'not on the form')})"
                        for key in line["field_keys"]
                    )
                    or "—",
                )
                for line in submission.ai_summary_sources
            ),
        )
        return format_html("<table><tr><th>Line</th><th>Answers</th></tr>{}</table>", rows)

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
