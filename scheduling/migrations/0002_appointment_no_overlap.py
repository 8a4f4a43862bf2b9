"""The database's own guard against double booking, on PostgreSQL.

No two live appointments of one doctor may overlap in time, unless the booking
was marked ``overlap_allowed`` (the clinic allows overlaps, or an admin forced
it). ``[)`` ranges make back-to-back visits legal. SQLite has no exclusion
constraints; there the booking service's check runs under SQLite's single writer.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = """
ALTER TABLE appointments ADD CONSTRAINT scheduling_appointment_no_overlap
EXCLUDE USING gist (doctor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (status IN ('unconfirmed', 'confirmed', 'arrived', 'in_progress', 'completed')
       AND NOT overlap_allowed)
"""
DROP = "ALTER TABLE appointments DROP CONSTRAINT scheduling_appointment_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CONSTRAINT)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint),
    ]
