"""On PostgreSQL the audit tables refuse TRUNCATE too (a statement trigger: a session has to opt in
with `SET ct.allow_truncate = on`, which only the test suite's flush does), and the production
grants in the README hold: the app's role can read and append audit rows and nothing else —
no UPDATE, DELETE or TRUNCATE on them, no DDL anywhere. Runs in the PostgreSQL pass
(`CT_TEST_DB=postgres`); SQLite has no TRUNCATE and no roles."""

import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from governance_app.audit_triggers import AUDIT_TABLES

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"
APP_ROLE = "ct_app"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE and roles are PostgreSQL's: see the CT_TEST_DB=postgres pass")


def _event(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (action, scope, target_id, changed_by, changed_at, reason, request_id, "
            "old_value, new_value) VALUES ('assign', 'pipeline', 'p1', 'gina', now(), 'r', '', NULL, NULL)"
        )


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("table", AUDIT_TABLES)
def test_truncate_of_an_audit_table_is_refused(table):
    _event(table)
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ct.allow_truncate = off")
            cursor.execute(f"TRUNCATE {table}")
    assert _count(table) == 1


def readme_grants() -> list[str]:
    """The SQL statements of the README's "Database roles" section, as written there."""
    text = README.read_text()
    section = text.split("## Database roles", 1)[1].split("\n## ", 1)[0]
    sql = "\n".join(re.findall(r"```sql\n(.*?)```", section, re.S))
    lines = [line for line in sql.splitlines() if line.strip() and not line.strip().startswith("--")]
    return [s.strip() for s in " ".join(lines).split(";") if s.strip()]


def test_the_readme_grants_leave_the_app_role_append_only_and_without_ddl():
    """Applied to the test database (in the test's transaction, rolled back with it)."""
    owner = connection.settings_dict["USER"]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
        for statement in readme_grants():
            if statement.upper().startswith(("CREATE ROLE", "CREATE DATABASE", "\\C")):
                continue  # cluster setup, done above for the test
            cursor.execute(statement.replace("ct_owner", owner))
    _event(AUDIT_TABLES[0])
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute("SET LOCAL ct.allow_truncate = off")
        cursor.execute(f"SELECT count(*) FROM {AUDIT_TABLES[0]}")  # reads
        for statement in (
            f"UPDATE {AUDIT_TABLES[0]} SET reason = 'x'",
            f"DELETE FROM {AUDIT_TABLES[0]}",
            f"TRUNCATE {AUDIT_TABLES[0]}",
            "CREATE TABLE ct_app_was_here (id int)",
            "ALTER TABLE governance_policyassignment ADD COLUMN x int",
            "DROP TABLE governance_dqstandard",
        ):
            cursor.execute("SAVEPOINT attempt")
            with pytest.raises(DatabaseError, match="permission denied|must be owner"):
                cursor.execute(statement)
            cursor.execute("ROLLBACK TO SAVEPOINT attempt")
        cursor.execute(
            "INSERT INTO governance_policyauditevent (action, scope, target_id, changed_by, changed_at, "
            "reason, request_id, old_value, new_value) "
            "VALUES ('assign', 'team', 't', 'gina', now(), 'r', '', NULL, NULL)"
        )
        cursor.execute("RESET ROLE")
    assert _count(AUDIT_TABLES[0]) == 2
