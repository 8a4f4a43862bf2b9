from django.apps import AppConfig


class ClinicflowConfig(AppConfig):
    name = "clinicflow"
    verbose_name = "ClinicFlow"
