"""Enumerations of triage: modes, rule categories, source systems, assisted outcomes."""

from django.db import models

DETERMINISTIC_ENGINE = "deterministic_rules_v1"


def assisted_engine(provider: str) -> str:
    """The `mode` an assisted answer reports, e.g. `assisted_openai_v1`."""
    return f"assisted_{provider}_v1"


class TriageMode(models.TextChoices):
    DETERMINISTIC = "deterministic", "Deterministic"
    ASSISTED = "assisted", "Assisted"


class RuleCategory(models.TextChoices):
    PERMISSIONS = "permissions", "Permissions"
    OBJECT_NOT_FOUND = "object_not_found", "Object not found"
    TIMEOUT = "timeout", "Warehouse or query timeout"
    OUT_OF_MEMORY = "out_of_memory", "Out of memory / spill"
    SCHEMA_DRIFT = "schema_drift", "Schema drift"
    UPSTREAM_DATA = "upstream_data", "Upstream data missing or late"
    DUPLICATE_KEY = "duplicate_key", "Duplicate key / constraint"
    NETWORK = "network", "Network / connection"
    QUOTA = "quota", "Quota / credits exhausted"
    CREDENTIAL_EXPIRY = "credential_expiry", "Credential expiry"
    UNKNOWN = "unknown", "Unknown"


class SourceSystem(models.TextChoices):
    """Systems whose error messages rules are written for (a pipeline's `platform` is one too)."""

    SNOWFLAKE = "snowflake", "Snowflake"
    SPARK = "spark", "Spark"
    DBT = "dbt", "dbt"
    AIRFLOW = "airflow", "Airflow"
    ADF = "adf", "Azure Data Factory"
    GLUE = "glue", "AWS Glue"
    DATABRICKS = "databricks", "Databricks"


class AttemptStatus(models.TextChoices):
    SUCCESS = "success", "Success"
    FALLBACK = "fallback", "Fallback to deterministic"
    FAILED = "failed", "Failed (strict policy)"


class FailurePolicy(models.TextChoices):
    FALLBACK = "fallback", "Fallback"
    STRICT = "strict", "Strict"
