"""Warehouse configuration mistakes surface as system checks with ids a person can look up."""

from django.core.checks import run_checks

from pipelines_app import checks


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_snowflake_backend_names_missing_settings(settings):
    settings.CT_WAREHOUSE_BACKEND = "snowflake"
    settings.SNOWFLAKE = {**settings.SNOWFLAKE, "account": "", "account_url": "", "user": "", "password": ""}
    messages = checks.check_warehouse()
    assert ids(messages) == ["ct.E006"] * 3
    hints = " ".join(m.hint for m in messages)
    assert "SF_ACCOUNT_IDENTIFIER" in hints and "SF_USER" in hints and "SF_PRIVATE_KEY_PEM_B64" in hints


def test_unknown_backend(settings):
    settings.CT_WAREHOUSE_BACKEND = "oracle"
    assert ids(checks.check_warehouse()) == ["ct.E005"]


def test_manage_check_reports_warehouse_mistakes(settings):
    """The app registers its check: `manage.py check` (Django's run_checks) names the mistake."""
    settings.CT_WAREHOUSE_BACKEND = "oracle"
    assert "ct.E005" in ids(run_checks())
