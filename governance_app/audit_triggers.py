"""Database triggers that make the audit tables append-only underneath the ORM: any UPDATE or
DELETE of an audit row raises, whoever issues it (ORM, admin, raw SQL, a DBA's psql session).

SQLite and PostgreSQL are supported. On SQLite, Django rebuilds a table to alter it (new table,
copy, drop, rename), which drops its triggers: a later migration that alters an audit table must
call `install(schema_editor)` again. TRUNCATE is left to the table owner on PostgreSQL (it is
how test databases are flushed), like DROP TABLE."""

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
