"""Audit rows keep the caller's X-Request-ID apart from the id the server minted. On SQLite adding a
column rebuilds the table, which drops its append-only triggers: they are installed again."""

from django.db import migrations, models

from governance_app import audit_triggers


def reinstall_triggers(apps, schema_editor):
    audit_triggers.install(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0004_audit_no_truncate'),
    ]

    operations = [
        migrations.AddField(
            model_name='dqauditevent',
            name='client_request_id',
            field=models.CharField(blank=True, db_default='', help_text="the caller's X-Request-ID, for correlation only", max_length=128),
        ),
        migrations.AddField(
            model_name='policyauditevent',
            name='client_request_id',
            field=models.CharField(blank=True, db_default='', help_text="the caller's X-Request-ID, for correlation only", max_length=128),
        ),
        migrations.AddField(
            model_name='runbookauditevent',
            name='client_request_id',
            field=models.CharField(blank=True, db_default='', help_text="the caller's X-Request-ID, for correlation only", max_length=128),
        ),
        migrations.AlterField(
            model_name='dqauditevent',
            name='request_id',
            field=models.CharField(blank=True, help_text='minted by the server that wrote it', max_length=128),
        ),
        migrations.AlterField(
            model_name='policyauditevent',
            name='request_id',
            field=models.CharField(blank=True, help_text='minted by the server that wrote it', max_length=128),
        ),
        migrations.AlterField(
            model_name='runbookauditevent',
            name='request_id',
            field=models.CharField(blank=True, help_text='minted by the server that wrote it', max_length=128),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
