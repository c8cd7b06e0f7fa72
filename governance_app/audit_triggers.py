"""Database triggers that make the audit tables append-only underneath the ORM: any UPDATE or
DELETE of an audit row raises, whoever issues it (ORM, admin, raw SQL, a DBA's psql session).

SQLite and PostgreSQL are supported. On SQLite, Django rebuilds a table to alter it (new table,
copy, drop, rename), which drops its triggers: a later migration that alters an audit table must
call `install(schema_editor)` again.

TRUNCATE (PostgreSQL) fires no row trigger, so a statement-level BEFORE TRUNCATE trigger refuses
it too — unless the session has said `SET ct.allow_truncate = on`. Only the test suite does that
(`allow_truncate_in_tests`, connected by the root conftest: pytest-django flushes test databases
with TRUNCATE). The database grants in production (README, "Database roles") are the other half:
the app's role holds no TRUNCATE privilege and owns no table."""

AUDIT_TABLES = ("governance_policyauditevent", "governance_dqauditevent", "governance_runbookauditevent")
PG_FUNCTION = "governance_audit_append_only"


def _sqlite_install(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"""
        for op in ("UPDATE", "DELETE")
    ]


def _postgres_install(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()""",
    ]


PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END
$$"""


PG_TRUNCATE_FUNCTION = "governance_audit_no_truncate"
TRUNCATE_SETTING = "ct.allow_truncate"
PG_TRUNCATE_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_TRUNCATE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('{TRUNCATE_SETTING}', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$"""


def _postgres_truncate(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {PG_TRUNCATE_FUNCTION}()""",
    ]


def install_truncate_guard(schema_editor, tables: tuple[str, ...] = AUDIT_TABLES) -> None:
    """PostgreSQL only (SQLite has no TRUNCATE; its DELETE trigger covers `DELETE FROM`)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in [PG_TRUNCATE_FUNCTION_SQL, *(s for t in tables for s in _postgres_truncate(t))]:
        schema_editor.execute(statement, params=None)


def uninstall_truncate_guard(schema_editor, tables: tuple[str, ...] = AUDIT_TABLES) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_TRUNCATE_FUNCTION}()")


def allow_truncate_in_tests(sender, connection, **kwargs) -> None:
    """`connection_created` receiver for the test suite only: test databases are flushed with
    TRUNCATE, which the guard would refuse."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET {TRUNCATE_SETTING} = on")


def install(schema_editor, tables: tuple[str, ...] = AUDIT_TABLES) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [s for t in tables for s in _sqlite_install(t)]
    elif vendor == "postgresql":
        statements = [PG_FUNCTION_SQL, *(s for t in tables for s in _postgres_install(t))]
    else:
        raise NotImplementedError(
            f"Append-only audit triggers support sqlite and postgresql, not {vendor!r}; "
            "the governance store needs one of those."
        )
    for statement in statements:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor, tables: tuple[str, ...] = AUDIT_TABLES) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    if vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
