import datetime
import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def keep_existing_tokens(apps, schema_editor):
    """Tokens issued before keys were hashed (DRF's authtoken table, when present) keep working:
    each becomes a hashed token. The old table, holding keys in clear, is dropped."""
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("controltower", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            selector=key[:8],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created_at=created,
        )
        for key, user_id, created in ((k, u, _aware(c)) for k, u, c in rows)
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")


def _aware(created):
    if not isinstance(created, datetime.datetime):
        return django.utils.timezone.now()
    return django.utils.timezone.make_aware(created, datetime.UTC) if django.utils.timezone.is_naive(created) else created


class Migration(migrations.Migration):
    dependencies = [
        ("controltower", "0002_service_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(default="default", help_text="What the token is for.", max_length=100),
                ),
                ("selector", models.CharField(db_index=True, editable=False, max_length=8)),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "scopes",
                    models.CharField(
                        blank=True,
                        default="",
                        help_text="Space-separated; empty = the user's role. Known: lineage:write.",
                        max_length=200,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "expires_at",
                    models.DateTimeField(blank=True, help_text="Empty = does not expire.", null=True),
                ),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "ordering": ["-created_at"],
            },
        ),
        migrations.RunPython(keep_existing_tokens, migrations.RunPython.noop),
    ]
