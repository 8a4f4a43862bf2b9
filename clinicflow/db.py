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
