"""Field helpers and base classes shared by every app's models."""

import uuid

from django.db import models


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class TimestampedModel(UUIDModel):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ClinicQuerySet(models.QuerySet):
    """Rows that belong to one clinic (a ``clinic`` foreign key), and the one way of
    narrowing them to what a user may see (STYLE.md, "Scoping: one way, everywhere").

    ``visible_to(user)``: an admin sees every row of their clinic; a doctor the rows
    that ``doctor_lookup`` leads from to them (none when it is None); an owner, and
    anyone else, none. Nothing ever crosses clinics. A model with another rule
    (private notes, patients seen through a relationship) overrides it."""

    # Lookup from a row to the doctor *user* it belongs to, e.g. "doctor__user".
    doctor_lookup: str | None = None

    def visible_to(self, user):
        rows = self.filter(clinic_id=user.clinic_id)
        if user.is_admin:
            return rows
        if user.is_doctor and self.doctor_lookup:
            return rows.filter(**{self.doctor_lookup: user})
        return rows.none()


def save_changes(instance: models.Model, values: dict) -> None:
    """Sets ``values`` on ``instance`` and saves just those columns (and
    ``updated_at`` where the model has it); nothing when ``values`` is empty."""
    if not values:
        return
    for key, value in values.items():
        setattr(instance, key, value)
    fields = [*values]
    if any(field.name == "updated_at" for field in instance._meta.concrete_fields):
        fields.append("updated_at")
    instance.save(update_fields=fields)
