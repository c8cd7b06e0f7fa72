"""Helpers for reading answers in tests."""

SNOWFLAKE_DENIED = (
    "Database Error in model fct_orders (models/marts/fct_orders.sql)\n"
    "  003001 (42501): SQL access control error:\n"
    "  Insufficient privileges to operate on table 'RAW.SHOP.ORDERS'"
)


def fact(body: dict, field: str):
    """The value of the fact named `field` in an answer (KeyError when absent)."""
    found = [f for f in body["facts_used"] if f["field"] == field]
    if not found:
        raise KeyError(field)
    return found[0]["value"]


def fact_id(body: dict, field: str) -> str:
    return next(f["id"] for f in body["facts_used"] if f["field"] == field)


OPENAI_TEST_KEY = "sk-local-SECRET-KEY-123"  # the local chat server's key; must never be shown
