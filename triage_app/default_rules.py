"""The shipped rule catalog (deterministic_rules_v1). Loaded into TriageRule by a data migration and
by `manage.py load_triage_rules`; after that the rows are the truth and the admin edits them.

Patterns are Python regexes, searched case-insensitively. Order matters where signatures overlap:
credential expiry before permissions ("token has expired" is not a grant problem), Snowflake's
"does not exist or not authorized" before both, upstream sensors before generic timeouts,
"connection timed out" (network) before timeouts, schema drift before object-not-found."""

from .choices import RuleCategory as C

SNOWFLAKE_OBJECT = {
    "name": "snowflake-object-missing-or-unauthorized",
    "order": 15,
    "category": C.OBJECT_NOT_FOUND,
    "error_code_pattern": r"^002003$",
    "message_regex": r"does not exist or not authori[sz]ed",
    "source_systems": ["snowflake"],
    "likely_cause": (
        "The object was dropped or renamed, or the pipeline's role lost its grant on it: Snowflake "
        "reports both as 002003."
    ),
    "next_actions": [
        "Run SHOW GRANTS TO ROLE <pipeline role> and check the object is listed.",
        "Check the object exists (SHOW TABLES LIKE ...) and whether a deployment dropped or renamed it.",
        "If it was replaced, re-grant (FUTURE GRANTS do not cover recreated objects) and re-run the task.",
    ],
    "runbook_hints": ["Access and grants", "Recent deployments"],
    "base_confidence": 0.8,
}

RULES: list[dict] = [
    {
        "name": "credential-expiry",
        "order": 10,
        "category": C.CREDENTIAL_EXPIRY,
        "error_code_pattern": r"^(390114|390318|390195|ExpiredToken(Exception)?|AADSTS7000222|AADSTS700082)$",
        "message_regex": (
            r"\b(token|credentials?|password|client secret|secret keys?|certificate)\b[^.]{0,60}?"
            r"\b(has |have |is |are )?expired|ExpiredToken|AADSTS7000222|AADSTS700082|must authenticate again"
        ),
        "likely_cause": (
            "A credential the pipeline uses (token, client secret, password or certificate) has expired."
        ),
        "next_actions": [
            (
                "Identify the credential from the error (service "
                "principal, key pair, IAM session) and its owner."
            ),
            "Rotate it in the secret store and update the connection / linked service that reads it.",
            "Re-run the failed run, then add an expiry alert for the new credential.",
        ],
        "runbook_hints": ["Credentials and rotation"],
        "base_confidence": 0.85,
    },
    SNOWFLAKE_OBJECT,
    {
        "name": "permissions",
        "order": 20,
        "category": C.PERMISSIONS,
        "error_code_pattern": (
            r"^(003001|003011|42501|AccessDenied(Exception)?|"
            r"AuthorizationPermissionMismatch|403)$"
        ),
        "message_regex": (
            r"insufficient privileges|access control error|"
            r"access (is )?denied|AccessDenied|permission denied|"
            r"PERMISSION_DENIED|not authori[sz]ed to perform|"
            r"AuthorizationPermissionMismatch|AuthorizationFailure|"
            r"\bforbidden\b|status code:? 403|does not have (the )?(required )?(permission|privilege)"
        ),
        "likely_cause": "The pipeline's identity lacks a privilege on the object or storage path it touches.",
        "next_actions": [
            (
                "Find the identity the run used (role, service "
                "principal, IAM role) and the object it was refused."
            ),
            "Compare its grants / RBAC assignments with the last successful run; look for a revoked grant.",
            "Restore the grant through the access-request process, then re-run the failed run.",
        ],
        "runbook_hints": ["Access and grants"],
        "base_confidence": 0.85,
    },
    {
        "name": "schema-drift",
        "order": 25,
        "category": C.SCHEMA_DRIFT,
        "error_code_pattern": (
            r"^(000904|100038|100071|42703|UNRESOLVED_COLUMN|DATATYPE_MISMATCH|CAST_INVALID_INPUT|"
            r"UserErrorInvalidColumnMappingColumnNotFound|"
            r"TypeConversionFailure|DELTA_FAILED_TO_MERGE_FIELDS)$"
        ),
        "message_regex": (
            r"invalid identifier|UNRESOLVED_COLUMN|cannot resolve|column [^\n]{0,120}?"
            r"(does not exist|not found|cannot be found|is missing)|ColumnNotFound|schema mismatch|"
            r"incompatible (data )?types?|type mismatch|DATATYPE_MISMATCH|cannot be cast|CAST_INVALID_INPUT|"
            r"(Numeric|Timestamp|Date) value '[^']*' is not recognized|TypeConversionFailure|"
            r"Parquet column cannot be converted|number of columns [^\n]{0,80}(does not match|mismatch)|"
            r"Failed to merge (fields|incompatible)"
        ),
        "likely_cause": "The source schema changed: a column was renamed, dropped or changed type upstream.",
        "next_actions": [
            "Diff the source schema against the last successful run (the column named in the error first).",
            "Ask the upstream owner whether the change is intended; if so, update the model / mapping.",
            "Add a schema contract or dbt test on the column so the next change fails earlier.",
        ],
        "runbook_hints": ["Schema changes", "Upstream contacts"],
        "base_confidence": 0.8,
    },
    {
        "name": "object-not-found",
        "order": 30,
        "category": C.OBJECT_NOT_FOUND,
        "error_code_pattern": (
            r"^(002003|002043|42S02|42P01|TABLE_OR_VIEW_NOT_FOUND|PATH_NOT_FOUND|NoSuchKey|NoSuchBucket|"
            r"BlobNotFound|UserErrorSourceBlobNotExist|UserErrorFileNotFound)$"
        ),
        "message_regex": (
            r"TABLE_OR_VIEW_NOT_FOUND|relation \"?[\w.]+\"? does not exist|"
            r"\b(table|view|schema|database|object|stage|file|path|"
            r"directory|bucket|container|blob)\b[^\n]{0,120}?"
            r"(does not exist|not found|cannot be found|was not found|is missing)|FileNotFound|"
            r"No such file or directory|NoSuchKey|NoSuchBucket|BlobNotFound|PathNotFound|PATH_NOT_FOUND|"
            r"which was not found|UserErrorSourceBlobNotExist|UserErrorFileNotFound"
        ),
        "likely_cause": (
            "A table, file or path the pipeline reads does not exist (dropped, renamed, or never written)."
        ),
        "next_actions": [
            (
                "Check the object named in the error exists where "
                "the pipeline looks (catalog, schema, path, date)."
            ),
            (
                "If it is produced upstream, check that producer's "
                "latest run; if it was renamed, update the reference."
            ),
            "Re-run once the object is in place.",
        ],
        "runbook_hints": ["Dependencies", "Recent deployments"],
        "base_confidence": 0.75,
    },
    {
        "name": "upstream-data-missing-or-late",
        "order": 35,
        "category": C.UPSTREAM_DATA,
        "error_code_pattern": (
            r"^(UPSTREAM_FAILED|AirflowSensorTimeout|"
            r"SOURCE_STALE|STALE|NO_DATA|EMPTY_INPUT)$"
        ),
        "message_regex": (
            r"AirflowSensorTimeout|Sensor has timed out|"
            r"upstream_failed|upstream (task|dependency|job|pipeline)"
            r"[^\n]{0,80}(failed|not (yet )?(complete|finished|succeeded))|freshness of [\w.]+|ERROR STALE|"
            r"no (new )?data (found|available|received)|0 rows (loaded|extracted|received)|"
            r"empty (input|source|partition)|partition [^\n]{0,80}not (yet )?(available|found|present)|"
            r"waiting for upstream|dependency [^\n]{0,60}not met"
        ),
        "likely_cause": (
            "Data this pipeline depends on is missing or late: an upstream job failed or has not delivered."
        ),
        "next_actions": [
            "Find the upstream producer (lineage) and check its latest run and delivery time.",
            "Do not force the run on partial data: wait for, or escalate to, the upstream owner.",
            "Re-run (or clear the sensor) once the upstream data has landed; backfill missed intervals.",
        ],
        "runbook_hints": ["Upstream contacts", "Re-run and backfill"],
        "base_confidence": 0.75,
    },
    {
        "name": "network-connection",
        "order": 40,
        "category": C.NETWORK,
        "error_code_pattern": (
            r"^(250001|250003|08S01|SqlFailedToConnect|UserErrorFailedToConnectToSqlServer|ECONNREFUSED|"
            r"ECONNRESET|ETIMEDOUT)$"
        ),
        "message_regex": (
            r"connection (was )?(refused|reset|timed out|closed)|connect timed out|could not connect|"
            r"cannot connect to|failed to connect|unable to connect|UnknownHostException|"
            r"Name or service not known|getaddrinfo|No route to host|Network is unreachable|ECONNREFUSED|"
            r"ECONNRESET|ETIMEDOUT|Temporary failure in name resolution|"
            r"network-related or instance-specific error|"
            r"SSL ?(Error|handshake)|certificate verify failed|Broken pipe|RemoteDisconnected|Read timed out"
        ),
        "likely_cause": (
            "The pipeline could not reach a system it depends on (DNS, firewall, private link or an outage)."
        ),
        "next_actions": [
            "Check the target system's status page / health and whether other pipelines hitting it fail too.",
            (
                "From the runtime (worker, integration runtime, cluster) "
                "test DNS and the port to the host in the error."
            ),
            "Check recent firewall, private-endpoint or IP-allow-list changes; re-run once reachable.",
        ],
        "runbook_hints": ["Connectivity", "Platform status"],
        "base_confidence": 0.75,
    },
    {
        "name": "quota-or-credits-exhausted",
        "order": 45,
        "category": C.QUOTA,
        "error_code_pattern": (
            r"^(QuotaExceeded|ResourceNumberLimitExceededException|ServiceQuotaExceededException|"
            r"ThrottlingException|TooManyRequests|429)$"
        ),
        "message_regex": (
            r"resource monitor|(exceeded|exhausted|reached) (its |"
            r"the |your )?(credit |core |DPU )?(quota|limit)|"
            r"quota (has been )?exceeded|quotaExceeded|credits? (exhausted|exceeded)|out of credits|"
            r"insufficient (DPU|capacity|quota)|ResourceNumberLimitExceeded|"
            r"ServiceQuotaExceeded|Rate exceeded|"
            r"Throttling(Exception)?|TooManyRequests|Too Many Requests|concurrency limit"
        ),
        "likely_cause": (
            "A quota, credit budget or rate limit was exhausted (resource monitor, cloud quota, API limit)."
        ),
        "next_actions": [
            "Identify the limit from the error (resource monitor, subscription/core quota, API rate limit).",
            (
                "Check whether spend or volume spiked (cost facts) "
                "before raising the limit: fix the cause first."
            ),
            "Request a quota increase or reschedule heavy runs, then re-run.",
        ],
        "runbook_hints": ["Capacity and quotas", "Cost controls"],
        "base_confidence": 0.8,
    },
    {
        "name": "warehouse-or-query-timeout",
        "order": 50,
        "category": C.TIMEOUT,
        "error_code_pattern": r"^(000630|57014|AirflowTaskTimeout|STATEMENT_TIMEOUT)$",
        "message_regex": (
            r"statement reached its statement or warehouse timeout|timed? ?out|timeout|deadline exceeded|"
            r"execution time limit|exceeded (the )?(max(imum)?|"
            r"allotted) (run|execution) ?time|queued for too long"
        ),
        "likely_cause": (
            "The job or query ran past its time limit (slow query, larger data volume, or a busy warehouse)."
        ),
        "next_actions": [
            (
                "Compare this run's duration and rows with recent "
                "successful runs (volume growth or a plan change?)."
            ),
            "Check warehouse / cluster load and queueing at the time of the run.",
            "Optimise or split the slow step; raise the timeout only with a reason, then re-run.",
        ],
        "runbook_hints": ["Performance", "Re-run and backfill"],
        "base_confidence": 0.7,
    },
    {
        "name": "out-of-memory-or-spill",
        "order": 60,
        "category": C.OUT_OF_MEMORY,
        "error_code_pattern": r"^(OOM|OOMKilled|137|SparkOutOfMemoryError)$",
        "message_regex": (
            r"OutOfMemoryError|out of memory|OOM ?Killed|exceeding memory limits|Java heap space|"
            r"GC overhead limit exceeded|Container killed [^\n]{0,80}memory|"
            r"Negsignal\.SIGKILL|return code -9|"
            r"exit code 137|MemoryError|Cannot allocate memory|"
            r"spill(ed|ing)? to (local|remote) (disk|storage)|"
            r"Unable to acquire \d+ bytes of memory|memory limit exceeded|Max memory exceeded"
        ),
        "likely_cause": (
            "The job ran out of memory (executor / worker killed) "
            "or spilled heavily: data volume or skew grew."
        ),
        "next_actions": [
            "Check input volume and key skew against recent successful runs.",
            "Repartition / salt skewed keys, or size the executors / warehouse up for this step.",
            "Re-run; if it recurs, cap the batch size or split the job.",
        ],
        "runbook_hints": ["Performance", "Sizing"],
        "base_confidence": 0.8,
    },
    {
        "name": "duplicate-key-or-constraint",
        "order": 70,
        "category": C.DUPLICATE_KEY,
        "error_code_pattern": (
            r"^(100090|100072|23505|23502|2627|2601|DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE)$"
        ),
        "message_regex": (
            r"duplicate (key|row|entry|record)s?|unique constraint|"
            r"violates unique|(PRIMARY|UNIQUE) KEY constraint|"
            r"multiple source rows matched|MULTIPLE_SOURCE_ROW_MATCHING|\btest unique_\w+|"
            r"NULL result in a non-nullable column|violates not-null constraint|NOT NULL constraint|"
            r"integrity constraint|constraint violat"
        ),
        "likely_cause": (
            "Incoming rows break a key or constraint: duplicates "
            "(often a replayed or overlapping load) or nulls."
        ),
        "next_actions": [
            (
                "Find the duplicated / null keys in the staged input "
                "and where they came from (replay, overlap, bug)."
            ),
            (
                "Deduplicate at the source or in staging (QUALIFY "
                "ROW_NUMBER() ... = 1), never by dropping the constraint."
            ),
            "Re-run the affected interval idempotently (MERGE / delete-insert).",
        ],
        "runbook_hints": ["Data quality", "Re-run and backfill"],
        "base_confidence": 0.8,
    },
    {
        "name": "unknown",
        "order": 1000,
        "category": C.UNKNOWN,
        "error_code_pattern": "",
        "message_regex": "",
        "likely_cause": "No known signature matched this error; the cause needs a person to read the logs.",
        "next_actions": [
            "Read the full task / job log around the failure.",
            "Check whether the same error appeared before (run history) and what fixed it then.",
            "Escalate to the pipeline owner; add a triage rule once the cause is known.",
        ],
        "runbook_hints": ["Escalation"],
        "base_confidence": 0.2,
    },
]

for _rule in RULES:
    _rule.setdefault("source_systems", [])
    _rule.setdefault("description", "")


def install(model, *, overwrite: bool = False) -> tuple[int, int]:
    """Insert the shipped rules that are missing (by name); with `overwrite`, reset shipped ones
    to their defaults too. Works with the real model and with a migration's historical model.
    Returns (created, updated)."""
    created = updated = 0
    for spec in RULES:
        fields = {k: v for k, v in spec.items() if k != "name"}
        fields["category"] = str(fields["category"])
        if overwrite:
            _, was_created = model.objects.update_or_create(name=spec["name"], defaults=fields)
            created, updated = created + was_created, updated + (not was_created)
        else:
            _, was_created = model.objects.get_or_create(name=spec["name"], defaults=fields)
            created += was_created
    return created, updated
