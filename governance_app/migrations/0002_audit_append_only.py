"""Audit tables become append-only in the database: triggers raise on UPDATE and DELETE.
The SQL is vendor-specific (SQLite / PostgreSQL), chosen from schema_editor.connection.vendor."""

from django.db import migrations

from governance_app import audit_triggers


def forwards(apps, schema_editor):
    audit_triggers.install(schema_editor)


def backwards(apps, schema_editor):
    audit_triggers.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
