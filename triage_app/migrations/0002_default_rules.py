"""Load the shipped triage rules (triage_app.default_rules). Rules added to the catalog later ship
with their own data migration; `manage.py load_triage_rules` installs any that are missing."""

from django.db import migrations


def load(apps, schema_editor):
    from triage_app import default_rules

    default_rules.install(apps.get_model("triage", "TriageRule"))


def unload(apps, schema_editor):
    from triage_app import default_rules

    names = [r["name"] for r in default_rules.RULES]
    apps.get_model("triage", "TriageRule").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
