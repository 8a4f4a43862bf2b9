from django.urls import re_path

from accounts import views
from clinicflow.routers import Router

router = Router()
router.register("clinics", views.ClinicViewSet, basename="clinic")
router.register("doctors", views.DoctorViewSet, basename="doctor")
router.register("settings/users", views.StaffUserViewSet, basename="staff-user")

urlpatterns = [
    re_path(r"^auth/login/?$", views.LoginView.as_view(), name="auth-login"),
    re_path(r"^auth/refresh/?$", views.RefreshView.as_view(), name="auth-refresh"),
    re_path(r"^auth/logout/?$", views.LogoutView.as_view(), name="auth-logout"),
    re_path(r"^auth/me/?$", views.MeView.as_view(), name="auth-me"),
    re_path(r"^settings/clinic/?$", views.ClinicSettingsView.as_view(), name="settings-clinic"),
    re_path(
        r"^settings/scheduling/?$",
        views.SchedulingSettingsView.as_view(),
        name="settings-scheduling",
    ),
    re_path(r"^settings/intake/?$", views.IntakeSettingsView.as_view(), name="settings-intake"),
    re_path(
        r"^settings/notifications/?$",
        views.NotificationSettingsView.as_view(),
        name="settings-notifications",
    ),
    re_path(
        r"^settings/my-preferences/?$",
        views.MyPreferencesView.as_view(),
        name="settings-my-preferences",
    ),
    *router.urls,
]
