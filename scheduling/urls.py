from django.urls import re_path

from clinicflow.routers import Router
from scheduling import views

router = Router()
router.register("appointments", views.AppointmentViewSet, basename="appointment")
# /api/patients/<id>/history, /cancellations, /ai-interactions (the patient itself is
# routed by patients.urls; no route here overlaps it).
router.register("patients", views.PatientAppointmentsViewSet, basename="patient")

urlpatterns = [
    re_path(r"^schedule/grid/?$", views.ScheduleGridView.as_view(), name="schedule-grid"),
    re_path(r"^schedule/my/?$", views.MyScheduleView.as_view(), name="schedule-my"),
    re_path(
        r"^schedule/available/?$", views.AvailableSlotsView.as_view(), name="schedule-available"
    ),
    *router.urls,
]
