"""Tokens issued before keys were hashed keep working after the upgrade, and the table that held
them in clear is gone."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from controltower import tokens

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = [("controltower", "0002_service_role")], [("controltower", "0003_api_tokens")]
OLD_KEY = "9f" * 20


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_a_key_from_the_old_token_table_still_authenticates(django_user_model):
    user = django_user_model.objects.create(username="legacy")
    migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, user_id integer, created timestamp)'
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)", [OLD_KEY, user.pk, "2026-01-02 03:04:05"]
        )
    migrate(AFTER)
    token = tokens.find(OLD_KEY)
    assert token is not None and token.user == user and token.state == "active"
    assert "authtoken_token" not in connection.introspection.table_names()
