"""Audit tables refuse TRUNCATE too (PostgreSQL): a statement-level trigger, see audit_triggers."""

from django.db import migrations

from governance_app import audit_triggers


def forwards(apps, schema_editor):
    audit_triggers.install_truncate_guard(schema_editor)


def backwards(apps, schema_editor):
    audit_triggers.uninstall_truncate_guard(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_expire_exceptions_schedule")]
    operations = [migrations.RunPython(forwards, backwards)]
