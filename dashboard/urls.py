from django.urls import re_path

from clinicflow.routers import UUID_PATTERN
from dashboard import views

urlpatterns = [
    re_path(
        rf"^appointments/(?P<pk>{UUID_PATTERN})/detail/?$",
        views.AppointmentDrawerView.as_view(),
        name="appointment-detail-drawer",
    ),
    re_path(
        rf"^appointments/(?P<pk>{UUID_PATTERN})/preparation/?$",
        views.PreparationView.as_view(),
        name="appointment-preparation",
    ),
    re_path(
        r"^dashboard/admin/summary/?$",
        views.AdminSummaryView.as_view(),
        name="dashboard-admin-summary",
    ),
    re_path(
        r"^dashboard/admin/needs-attention/?$",
        views.NeedsAttentionView.as_view(),
        name="dashboard-needs-attention",
    ),
    re_path(
        r"^dashboard/admin/cancellations/?$",
        views.RecentCancellationsView.as_view(),
        name="dashboard-cancellations",
    ),
    re_path(
        r"^dashboard/doctor/summary/?$",
        views.DoctorSummaryView.as_view(),
        name="dashboard-doctor-summary",
    ),
    re_path(
        r"^dashboard/doctor/today/?$",
        views.DoctorTodayView.as_view(),
        name="dashboard-doctor-today",
    ),
    re_path(
        r"^metrics/appointments/?$",
        views.AppointmentMetricsView.as_view(),
        name="metrics-appointments",
    ),
]
