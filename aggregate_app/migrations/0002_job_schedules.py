"""Schedule the control tier's jobs as django-celery-beat rows (editable in the admin):
scheduled smoke every 6 hours, cost-anomaly refresh hourly. Crontab rows, so each run lands in
its own idempotency window (aggregate_app.jobs.windows). The exception-expiry sweep is scheduled
by governance (governance/0003_expire_exceptions_schedule)."""

from django.db import migrations

SCHEDULES = [
    {
        "name": "aggregate: scheduled smoke",
        "task": "aggregate.scheduled_smoke",
        "crontab": {"minute": "7", "hour": "*/6"},
        "description": "API and UI smoke contracts; stores runs, alerts on failure and recovery.",
    },
    {
        "name": "aggregate: cost-anomaly refresh",
        "task": "aggregate.refresh_cost_anomalies",
        "crontab": {"minute": "13", "hour": "*"},
        "description": "Fan out /api/costs/anomalies, keep anomaly records, alert once per new anomaly.",
    },
]


def forwards(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for row in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC", **row["crontab"]
        )
        PeriodicTask.objects.get_or_create(
            name=row["name"],
            defaults={"task": row["task"], "crontab": crontab, "description": row["description"]},
        )


def backwards(apps, schema_editor):
    names = [row["name"] for row in SCHEDULES]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("aggregate", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
