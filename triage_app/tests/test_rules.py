"""deterministic_rules_v1: every shipped rule against real error text from the system that emits it,
then ordering, editing, system filters and the catch-all."""

import pytest
from django.core.exceptions import ValidationError

from triage_app import default_rules, rules
from triage_app.models import TriageRule

pytestmark = pytest.mark.django_db

# (system, platform, error_code, error_message, expected rule, expected matched_on)
CASES = [
    # credential expiry
    (
        "snowflake",
        "dbt",
        "390114",
        "390114 (08001): Authentication token has expired.  The user must authenticate again.",
        "credential-expiry",
        ["error_code", "error_message"],
    ),
    (
        "adf",
        "adf",
        "",
        "ErrorCode=UserErrorFailedToGetAccessToken,'Type=Microsoft.DataTransfer.Common.Shared."
        "HybridDeliveryException,Message=Failed to get access "
        "token. AADSTS7000222: The provided client secret "
        "keys for app '3f2c5d1e-8a7b-4c1d-9e2f-1a2b3c4d5e6f' are "
        "expired.,Source=Microsoft.DataTransfer.ClientLibrary,'",
        "credential-expiry",
        ["error_message"],
    ),
    (
        "airflow",
        "airflow",
        "",
        "botocore.exceptions.ClientError: An error occurred (ExpiredTokenException) when calling the "
        "AssumeRole operation: The security token included in the request is expired",
        "credential-expiry",
        ["error_code_in_message", "error_message"],
    ),
    # Snowflake's "does not exist or not authorized"
    (
        "snowflake",
        "airflow",
        "",
        "snowflake.connector.errors.ProgrammingError: 002003 (42S02): SQL compilation error:\n"
        "Object 'ANALYTICS.CORE.DIM_CUSTOMER' does not exist or not authorized.",
        "snowflake-object-missing-or-unauthorized",
        ["error_code_in_message", "error_message"],
    ),
    # permissions
    (
        "snowflake",
        "dbt",
        "003001",
        "003001 (42501): SQL access control error:\nInsufficient privileges to operate on table 'FCT_ORDERS'",
        "permissions",
        ["error_code", "error_message"],
    ),
    (
        "spark",
        "spark",
        "",
        "java.nio.file.AccessDeniedException: s3a://lake-raw/orders/2026/11/20: getFileStatus on "
        "s3a://lake-raw/orders/2026/11/20: com.amazonaws.services.s3.model.AmazonS3Exception: Forbidden "
        "(Service: Amazon S3; Status Code: 403; Error Code: 403 Forbidden; Request ID: 7Q8KX2M1)",
        "permissions",
        ["error_message"],
    ),
    (
        "adf",
        "adf",
        "",
        "ErrorCode=AdlsGen2OperationFailed,'Type=Microsoft.DataTransfer.Common.Shared.HybridDeliveryException,"
        "Message=ADLS Gen2 operation failed for: Operation returned an invalid status code 'Forbidden'. "
        "Account: 'stlakeprod'. FileSystem: 'raw'. ErrorCode: 'AuthorizationPermissionMismatch'. Message: "
        "'This request is not authorized to perform this operation using this permission.'",
        "permissions",
        ["error_message"],
    ),
    (
        "airflow",
        "airflow",
        "",
        "PermissionError: [Errno 13] Permission denied: '/opt/airflow/data/exports/orders.csv'",
        "permissions",
        ["error_message"],
    ),
    # schema drift
    (
        "snowflake",
        "dbt",
        "",
        (
            "000904 (42000): SQL compilation error: error line 3 "
            "at position 11\ninvalid identifier 'CUSTOMER_SEGMENT'"
        ),
        "schema-drift",
        ["error_code_in_message", "error_message"],
    ),
    (
        "spark",
        "spark",
        "",
        "org.apache.spark.sql.AnalysisException: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function "
        "parameter with name `order_ts` cannot be resolved. Did you mean one of the following? "
        "[`order_date`, `order_id`].",
        "schema-drift",
        ["error_code_in_message", "error_message"],
    ),
    (
        "dbt",
        "dbt",
        "",
        'Database Error in model fct_orders (models/marts/fct_orders.sql)\n  column "discount_pct" does not '
        "exist\n  LINE 14:     sum(discount_pct) as discount_total,",
        "schema-drift",
        ["error_message"],
    ),
    (
        "adf",
        "adf",
        "",
        "ErrorCode=UserErrorInvalidColumnMappingColumnNotFound,'Type=Microsoft.DataTransfer.Common.Shared."
        "HybridDeliveryException,Message=Column 'LoadDate' specified in column mapping cannot be found in "
        "source data.,Source=Microsoft.DataTransfer.ClientLibrary,'",
        "schema-drift",
        ["error_code_in_message", "error_message"],
    ),
    (
        "snowflake",
        "airflow",
        "100038",
        "100038 (22018): Numeric value 'N/A' is not recognized",
        "schema-drift",
        ["error_code", "error_message"],
    ),
    # object not found
    (
        "spark",
        "spark",
        "",
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view `sales`.`orders_raw` cannot be found. Verify the "
        "spelling and correctness of the schema and catalog.",
        "object-not-found",
        ["error_code_in_message", "error_message"],
    ),
    (
        "dbt",
        "dbt",
        "",
        "Compilation Error in model fct_orders "
        "(models/marts/fct_orders.sql)\n  Model 'model.shop.fct_orders' "
        "(models/marts/fct_orders.sql) depends on a node named 'stg_customers' which was not found",
        "object-not-found",
        ["error_message"],
    ),
    (
        "adf",
        "adf",
        "",
        "ErrorCode=UserErrorSourceBlobNotExist,'Type=Microsoft.DataTransfer.Common.Shared."
        "HybridDeliveryException,Message=The required Blob is missing. ContainerName: "
        "https://stlakeprod.blob.core.windows.net/raw, ContainerExist: True, BlobPrefix: orders/2026/11/20/, "
        "BlobCount: 0.,Source=Microsoft.DataTransfer.ClientLibrary,'",
        "object-not-found",
        ["error_code_in_message", "error_message"],
    ),
    (
        "airflow",
        "airflow",
        "",
        "FileNotFoundError: [Errno 2] No such file or directory: '/data/landing/orders_20261120.csv'",
        "object-not-found",
        ["error_message"],
    ),
    # upstream data missing or late
    (
        "airflow",
        "airflow",
        "",
        "airflow.exceptions.AirflowSensorTimeout: Sensor has timed out; run duration of 3600.41 seconds "
        "exceeds the specified timeout of 3600.0.",
        "upstream-data-missing-or-late",
        ["error_code_in_message", "error_message"],
    ),
    (
        "dbt",
        "dbt",
        "",
        "1 of 1 ERROR STALE freshness of raw_shop.orders ......... [ERROR STALE in 1.02s]",
        "upstream-data-missing-or-late",
        ["error_message"],
    ),
    (
        "spark",
        "spark",
        "",
        "pyspark.errors.exceptions.base.PySparkValueError: "
        "No data found for partition ingest_date=2026-11-20 "
        "in s3a://lake-raw/orders",
        "upstream-data-missing-or-late",
        ["error_message"],
    ),
    # network
    (
        "snowflake",
        "airflow",
        "250001",
        "250001 (08001): Failed to connect to DB: xy12345.ap-southeast-2.snowflakecomputing.com:443. "
        "Connection timed out",
        "network-connection",
        ["error_code", "error_message"],
    ),
    (
        "adf",
        "adf",
        "",
        "ErrorCode=SqlFailedToConnect,'Type=Microsoft.DataTransfer.Common.Shared.HybridDeliveryException,"
        "Message=Cannot connect to SQL Database: 'sql-prod.database.windows.net', Database: 'erp', User: "
        "'adf_reader'. Check the linked service configuration is correct, and make sure the SQL Database "
        "firewall allows the integration runtime to access.,Source=Microsoft.DataTransfer.ClientLibrary,''"
        "Type=System.Data.SqlClient.SqlException,Message=A network-related or instance-specific error "
        "occurred while establishing a connection to SQL Server.'",
        "network-connection",
        ["error_code_in_message", "error_message"],
    ),
    (
        "airflow",
        "airflow",
        "",
        'psycopg2.OperationalError: connection to server at "10.20.3.14", port 5432 failed: Connection '
        "refused\n\tIs the server running on that host and accepting TCP/IP connections?",
        "network-connection",
        ["error_message"],
    ),
    (
        "spark",
        "spark",
        "",
        "org.apache.kafka.common.KafkaException: Failed to construct kafka consumer\nCaused by: "
        "java.net.UnknownHostException: kafka-broker-2.internal: Name or service not known",
        "network-connection",
        ["error_message"],
    ),
    # quota / credits
    (
        "snowflake",
        "dbt",
        "",
        (
            "Warehouse 'TRANSFORM_WH' cannot be resumed because "
            "resource monitor 'RM_MONTHLY' has exceeded its quota."
        ),
        "quota-or-credits-exhausted",
        ["error_message"],
    ),
    (
        "adf",
        "adf",
        "",
        "ErrorCode=DFExecutorUserError,'Message=Cluster creation "
        "failed: the subscription has exceeded its core "
        "quota (QuotaExceeded) for region australiaeast.'",
        "quota-or-credits-exhausted",
        ["error_message"],
    ),
    # timeouts
    (
        "snowflake",
        "dbt",
        "000630",
        (
            "000630 (57014): Statement reached its statement or "
            "warehouse timeout of 3,600 second(s) and was canceled."
        ),
        "warehouse-or-query-timeout",
        ["error_code", "error_message"],
    ),
    (
        "airflow",
        "airflow",
        "",
        "airflow.exceptions.AirflowTaskTimeout: Timeout, PID: 4711",
        "warehouse-or-query-timeout",
        ["error_code_in_message", "error_message"],
    ),
    (
        "adf",
        "adf",
        "",
        "Operation on target Copy_Sales failed: Activity Copy_Sales timed out after 12:00:00.",
        "warehouse-or-query-timeout",
        ["error_message"],
    ),
    # out of memory / spill
    (
        "spark",
        "spark",
        "",
        "org.apache.spark.SparkException: Job aborted due to stage failure: Task 17 in stage 42.0 failed 4 "
        "times, most recent failure: Lost task 17.3 in stage 42.0 (TID 1290) (10.0.3.17 executor 5): "
        "ExecutorLostFailure (executor 5 exited caused by one of the running tasks) Reason: Container killed "
        "by YARN for exceeding memory limits. 14.2 GB of 14 GB physical memory used.",
        "out-of-memory-or-spill",
        ["error_message"],
    ),
    (
        "airflow",
        "airflow",
        "",
        "[2026-11-20, 03:12:44 UTC] {local_task_job_runner.py:234} INFO - Task exited with return code "
        "Negsignal.SIGKILL",
        "out-of-memory-or-spill",
        ["error_message"],
    ),
    (
        "spark",
        "spark",
        "",
        "java.lang.OutOfMemoryError: Java heap space\n\tat java.util.Arrays.copyOf(Arrays.java:3236)",
        "out-of-memory-or-spill",
        ["error_message"],
    ),
    # duplicate key / constraint
    (
        "snowflake",
        "dbt",
        "100090",
        '100090 (42P18): Duplicate row detected during DML action\nRow Values: [1001, "2026-11-19", 42]',
        "duplicate-key-or-constraint",
        ["error_code", "error_message"],
    ),
    (
        "dbt",
        "dbt",
        "",
        "Failure in test unique_fct_orders_order_id (models/marts/schema.yml)\n  Got 12 results, configured "
        "to fail if != 0",
        "duplicate-key-or-constraint",
        ["error_message"],
    ),
    (
        "adf",
        "adf",
        "",
        "ErrorCode=SqlOperationFailed,'Type=Microsoft.DataTransfer.Common.Shared.HybridDeliveryException,"
        "Message=A database operation failed. Please search error to get more details.,Source=Microsoft."
        "DataTransfer.ClientLibrary,''Type=System.Data.SqlClient.SqlException,Message=Violation "
        "of PRIMARY KEY "
        "constraint 'PK_Orders'. Cannot insert duplicate key in object 'dbo.Orders'. The duplicate key value "
        "is (1001).,Source=.Net SqlClient Data Provider,SqlErrorNumber=2627'",
        "duplicate-key-or-constraint",
        ["error_message"],
    ),
    (
        "spark",
        "databricks",
        "",
        "[DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE] Cannot perform Merge as multiple source "
        "rows matched and attempted to modify the same target row in the Delta table in possibly "
        "conflicting ways.",
        "duplicate-key-or-constraint",
        ["error_code_in_message", "error_message"],
    ),
    # unknown
    (
        "airflow",
        "airflow",
        "",
        "ValueError: invalid literal for int() with base 10: 'twelve'",
        "unknown",
        [],
    ),
]


def _id(case) -> str:
    return f"{case[4]}-{case[0]}-{case[3][:24]}"


@pytest.mark.parametrize(
    "system,platform,code,message,expected,matched_on", CASES, ids=[_id(c) for c in CASES]
)
def test_shipped_rule_matches_real_error(system, platform, code, message, expected, matched_on):
    signal = rules.build_signal(code, message, platform)
    match = rules.evaluate(signal)
    assert match.rule_name == expected
    assert match.matched_on == matched_on
    assert system in signal.systems
    rule = TriageRule.objects.get(name=expected)
    assert (match.likely_cause, match.next_actions, match.category) == (
        rule.likely_cause,
        rule.next_actions,
        rule.category,
    )


def test_every_shipped_rule_has_a_case():
    assert {c[4] for c in CASES} == {r["name"] for r in default_rules.RULES}


def test_every_named_system_has_cases():
    assert {c[0] for c in CASES} >= {"snowflake", "spark", "dbt", "airflow", "adf"}


def test_migration_loaded_the_shipped_catalog_in_order():
    names = list(TriageRule.objects.values_list("name", flat=True))
    assert names == [r["name"] for r in sorted(default_rules.RULES, key=lambda r: r["order"])]
    assert names[-1] == "unknown"
    assert TriageRule.objects.get(name="unknown").is_catch_all
    assert TriageRule.objects.get(name="unknown").base_confidence == 0.2


def test_embedded_codes_are_read_from_messages():
    signal = rules.build_signal("", "Database Error\n  002003 (42S02): SQL compilation error", "dbt")
    assert signal.codes == ("002003",)
    assert signal.systems == {"dbt", "snowflake"}


def test_disabled_rule_is_skipped_and_the_next_match_wins():
    message = "003001 (42501): SQL access control error:\nInsufficient privileges to operate on table 'X'"
    TriageRule.objects.filter(name="permissions").update(enabled=False)
    match = rules.evaluate(rules.build_signal("003001", message, "dbt"))
    assert match.rule_name == "unknown"


def test_a_custom_rule_ordered_first_wins():
    TriageRule.objects.create(
        name="orders-grant-revoked-by-cleanup",
        order=5,
        category="permissions",
        message_regex=r"on table 'FCT_ORDERS'",
        likely_cause="The nightly grant cleanup job revoked SELECT on FCT_ORDERS again.",
        next_actions=["Re-apply grants with the grants_fct_orders playbook."],
        base_confidence=0.95,
    )
    message = (
        "003001 (42501): SQL access control error:\nInsufficient privileges to operate on table 'FCT_ORDERS'"
    )
    match = rules.evaluate(rules.build_signal("003001", message, "dbt"))
    assert match.rule_name == "orders-grant-revoked-by-cleanup"
    assert match.next_actions == ["Re-apply grants with the grants_fct_orders playbook."]
    assert match.matched_on == ["error_message"]


def test_system_specific_rule_applies_only_to_its_systems():
    rule = TriageRule.objects.get(name="snowflake-object-missing-or-unauthorized")
    text = "002003 (42S02): SQL compilation error:\nObject 'X' does not exist or not authorized."
    snowflake = rules.build_signal("002003", text, "")
    other = rules.build_signal("", "Object 'X' does not exist or not authorized.", "glue")
    assert rules.evaluate_rule(rule, snowflake) == ["error_code", "error_message"]
    assert "snowflake" not in other.systems
    assert rules.evaluate_rule(rule, other) is None
    assert rules.evaluate(other).rule_name == "object-not-found"


def test_no_error_text_is_not_matched_against_rules():
    assert rules.evaluate(rules.build_signal("", "", "dbt"), "SUCCESS").category == "no_error"
    failed = rules.evaluate(rules.build_signal(None, None, None), "FAILED")
    assert (failed.rule, failed.category, failed.base_confidence) == (None, "unknown", 0.1)


def test_all_rules_disabled_answers_unmatched_unknown():
    TriageRule.objects.update(enabled=False)
    match = rules.evaluate(rules.build_signal("", "boom", ""))
    assert (match.rule, match.category, match.base_confidence) == (None, "unknown", 0.1)


@pytest.mark.parametrize(
    "field,value",
    [
        ("message_regex", "(unclosed"),
        ("error_code_pattern", "[z-a]"),
        ("next_actions", "do something"),
        ("next_actions", ["ok", ""]),
        ("source_systems", ["snowflake", "oracle"]),
        ("base_confidence", 1.5),
    ],
)
def test_rule_validation_refuses_bad_values(field, value):
    rule = TriageRule(
        name="bad", category="unknown", likely_cause="x", next_actions=["a"], base_confidence=0.5
    )
    setattr(rule, field, value)
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert field in err.value.message_dict


def test_load_command_restores_shipped_rules():
    from django.core.management import call_command

    TriageRule.objects.filter(name="permissions").update(base_confidence=0.1)
    TriageRule.objects.filter(name="unknown").delete()
    call_command("load_triage_rules")
    assert TriageRule.objects.get(name="permissions").base_confidence == 0.1  # edits are kept
    assert TriageRule.objects.filter(name="unknown").exists()
    call_command("load_triage_rules", "--reset")
    assert TriageRule.objects.get(name="permissions").base_confidence == 0.85
