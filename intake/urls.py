from django.urls import re_path

from clinicflow.routers import UUID_PATTERN, Router
from intake import views

router = Router()
router.register("intake/templates", views.TemplateViewSet, basename="intake-template")
router.register("intake/submissions", views.SubmissionViewSet, basename="intake-submission")

# The public link carries ~43 URL-safe characters; anything else is simply unknown.
TOKEN_PATTERN = r"(?P<token>[A-Za-z0-9_-]{1,128})"

urlpatterns = [
    re_path(
        rf"^appointments/(?P<pk>{UUID_PATTERN})/send-intake/?$",
        views.SendIntakeView.as_view(),
        name="appointment-send-intake",
    ),
    re_path(
        rf"^appointments/(?P<pk>{UUID_PATTERN})/intake-complete/?$",
        views.IntakeCompleteView.as_view(),
        name="appointment-intake-complete",
    ),
    re_path(
        rf"^public/intake/{TOKEN_PATTERN}/?$",
        views.PublicIntakeView.as_view(),
        name="public-intake",
    ),
    *router.urls,
]
