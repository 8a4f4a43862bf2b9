import django_filters


class PatientFilter(django_filters.FilterSet):
    """Query parameters of ``GET /api/patients``; the selector applies them."""

    search = django_filters.CharFilter(
        max_length=100, help_text="Words matched in name, email, phone."
    )
    doctor_id = django_filters.UUIDFilter(help_text="Primary doctor (admins only).")
