from django.contrib import admin
from django.urls import include, path, re_path
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from clinicflow import outages, views
from intake.pages import intake_page

api_patterns = [
    path("", include("accounts.urls")),
    path("", include("patients.urls")),
    path("", include("scheduling.urls")),
    path("", include("intake.urls")),
    path("", include("notes.urls")),
    path("", include("dashboard.urls")),
    re_path(r"^schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
    re_path(r"^intake/(?P<token>[A-Za-z0-9_-]{1,128})/?$", intake_page, name="intake-page"),
    re_path(r"^healthz/?$", views.healthz, name="healthz"),
    re_path(r"^readyz/?$", views.readyz, name="readyz"),
]


def handler404(request, exception):
    """JSON under /api/, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return views.api_not_found(request, exception)
    return page_not_found(request, exception)


def handler500(request):
    """503 when the database or Redis is down, else 500: JSON under /api/, a page
    elsewhere."""
    return outages.server_error(request)
