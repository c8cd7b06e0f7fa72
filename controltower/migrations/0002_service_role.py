from django.db import migrations


def create_service_group(apps, schema_editor):
    """Service accounts (a control tier calling a source) may assert X-Acting-User."""
    apps.get_model("auth", "Group").objects.get_or_create(name="service")


class Migration(migrations.Migration):
    dependencies = [("controltower", "0001_roles")]
    operations = [migrations.RunPython(create_service_group, migrations.RunPython.noop)]
