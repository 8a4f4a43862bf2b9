from clinicflow.routers import Router
from patients import views

router = Router()
router.register("patients", views.PatientViewSet, basename="patient")

urlpatterns = router.urls
