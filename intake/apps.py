from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"

    def ready(self):
        from intake import receivers  # noqa: F401 - connects the receivers
