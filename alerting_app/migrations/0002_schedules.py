"""Schedule alerting's minute jobs as django-celery-beat rows (editable in the admin): evaluation
(failed runs, SLA, staleness, cost, smoke to incidents) and the sweep (snooze expiry, due
deliveries)."""

from django.db import migrations

SCHEDULES = [
    {
        "name": "alerting: evaluate",
        "task": "alerting.evaluate",
        "description": "Sources and job records to alert incidents: open, count, group by lineage, resolve.",
    },
    {
        "name": "alerting: sweep",
        "task": "alerting.sweep",
        "description": "Wake expired snoozes; deliver notifications that are due or were left behind.",
    },
]


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    for row in SCHEDULES:
        PeriodicTask.objects.get_or_create(
            name=row["name"],
            defaults={"task": row["task"], "interval": every_minute, "description": row["description"]},
        )


def backwards(apps, schema_editor):
    names = [row["name"] for row in SCHEDULES]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
