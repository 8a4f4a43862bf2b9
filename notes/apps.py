from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"

    def ready(self):
        from notes import receivers  # noqa: F401 - connects the receivers
