from django.urls import re_path

from clinicflow.routers import UUID_PATTERN, Router
from notes import views

router = Router()
router.register("doctor-notes", views.NoteViewSet, basename="doctor-note")
router.register("follow-ups", views.FollowUpViewSet, basename="follow-up")

urlpatterns = [
    re_path(
        rf"^doctor-notes/patient/(?P<patient_id>{UUID_PATTERN})/?$",
        views.PatientNotesView.as_view({"get": "list"}),
        name="doctor-notes-patient",
    ),
    *router.urls,
]
