"""The one settings module. Every value comes from the environment (see deploy/.env.example);
the defaults run a fresh checkout with SQLite, DuckDB and an embedded broker."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

from controltower.secret_key import install_secret_key
from controltower.tier import URLCONFS, tier_of

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()


def secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (container secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


CT_ENV = env.str("CT_ENV", default="development")  # development | production
PRODUCTION = CT_ENV == "production"
CT_DATA_DIR = Path(env.str("CT_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
CT_DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY_FROM_ENV = bool(secret("SECRET_KEY"))
# Production must be given its key (every instance shares it): without one, system check ct.E003
# fails manage.py and controltower/wsgi.py refuses to serve. Elsewhere each install generates its
# own key once under CT_DATA_DIR (controltower/secret_key.py), so no two checkouts share one.
if SECRET_KEY_FROM_ENV:
    SECRET_KEY = secret("SECRET_KEY")
elif PRODUCTION:
    SECRET_KEY = ""
else:
    SECRET_KEY = install_secret_key(CT_DATA_DIR / "secret_key")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as static files (no CDN)
    "csp",
    "django_celery_beat",
    "axes",
    "simple_history",  # triage-rule edits: who, when, the values before
    "controltower.apps.ControlTowerConfig",
    "pipelines_app.apps.PipelinesConfig",
    "governance_app.apps.GovernanceConfig",
    "triage_app.apps.TriageConfig",
    "aggregate_app.apps.AggregateConfig",
    "alerting_app.apps.AlertingConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "controltower.middleware.CSPMiddleware",  # django-csp's, its policy built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "controltower.middleware.RequestIdMiddleware",
    "controltower.observe.middleware.MetricsMiddleware",  # request count and latency per route (/metrics)
    "controltower.response_cache.HotReadMiddleware",  # a cached read for a plain API token, early
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # names the person in a rule's history
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

WSGI_APPLICATION = "controltower.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],  # all the project's own templates, a folder per area
        "APP_DIRS": True,  # the installed packages' own templates (the admin's, DRF's, django-filter's)
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "controltower.build.build_context",
            ],
        },
    },
]

# Governance store: PostgreSQL via DATABASE_URL, else a SQLite file in WAL mode.
if secret("DATABASE_URL"):
    DATABASES = {"default": env.db_url_config(secret("DATABASE_URL"))}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": CT_DATA_DIR / "governance.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=5000",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-au"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CT_DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
WHITENOISE_USE_FINDERS = True
LOGIN_URL = "/admin/login/"

# Sign-in lockout (django-axes, on every password sign-in: the admin's and the ops pages'). Failed
# passwords are counted per username *and* client address: after CT_LOGIN_FAILURE_LIMIT of them that
# pair is refused (429, the lockout page) for CT_LOGIN_COOLOFF_MINUTES, counted again from each
# refused try. Locking the username alone would let anyone lock a person out from everywhere; locking
# the address alone would lock out everyone behind one NAT or proxy. A success clears the count;
# `manage.py axes_reset_username NAME` lifts a lockout early. The counts live in the database.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("CT_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("CT_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "controltower.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "controltower.lockout.lockout_response"
# Reverse proxies in front of this app that append the client to X-Forwarded-For (App Runner and
# Azure Web App: 1). 0 = the socket's address, which a client cannot forge. Sign-in lockout and the
# anonymous API throttle count per client address.
CT_NUM_PROXIES = env.int("CT_NUM_PROXIES", default=0)

# Telemetry warehouse: "snowflake" when SF_ACCOUNT_* is set, else the embedded DuckDB file;
# "none" for a control tier that has no warehouse of its own.
SF_ACCOUNT_IDENTIFIER = env.str("SF_ACCOUNT_IDENTIFIER", default="")
SF_ACCOUNT_URL = env.str("SF_ACCOUNT_URL", default="")
CT_WAREHOUSE_BACKEND = env.str(
    "CT_WAREHOUSE_BACKEND", default="snowflake" if (SF_ACCOUNT_IDENTIFIER or SF_ACCOUNT_URL) else "duckdb"
)
CT_DUCKDB_PATH = Path(env.str("CT_DUCKDB_PATH", default=str(CT_DATA_DIR / "telemetry.duckdb")))
CT_WAREHOUSE_QUERY_TIMEOUT_S = env.int("CT_WAREHOUSE_QUERY_TIMEOUT_S", default=30)
SNOWFLAKE = {
    "account": SF_ACCOUNT_IDENTIFIER,
    "account_url": SF_ACCOUNT_URL,
    "user": env.str("SF_USER", default=""),
    "password": secret("SF_PASSWORD") or secret("SNOWFLAKE_PASSWORD"),
    "private_key_pem_b64": secret("SF_PRIVATE_KEY_PEM_B64"),
    "role": env.str("SF_ROLE", default=""),
    "warehouse": env.str("SF_WAREHOUSE", default=""),
    "database": env.str("SF_DATABASE", default="BHP_PLATFORM_LAB"),
    "schema": env.str("SF_SCHEMA", default="OBS"),
}
# SLA thresholds assigned in governance (a layer above pipelines_app.sla, so named here, not
# imported there). Wiring, not an environment variable: "" leaves every pipeline its own columns.
CT_SLA_THRESHOLDS_PROVIDER = "governance_app.thresholds.assigned"
# The same assignments as rows, which pipelines_app.sla_assignments keeps in the warehouse's
# SLA_ASSIGNMENTS so that SLA status is decided in SQL ("" for none).
CT_SLA_ASSIGNMENTS_PROVIDER = "governance_app.thresholds.assignment_rows"
# A pipeline's policy and DQ standing, shown with its cost investigation ("" for none).
CT_PIPELINE_STANDING_PROVIDER = "governance_app.standing.of_pipeline"

# Control tier: the deployments it fans out to.
CT_SOURCE_NAME = env.str("CT_SOURCE_NAME", default="local")  # this deployment's name, as sources are known
CT_SOURCES = env.str("CT_SOURCES", default="")
AWS_BASE = env.str("AWS_BASE", default="")
AZURE_BASE = env.str("AZURE_BASE", default="")
# The tier follows from the above (controltower/tier.py) and picks the routes this process mounts.
CT_TIER = tier_of(CT_SOURCES, AWS_BASE, AZURE_BASE)  # derived: not an environment variable
ROOT_URLCONF = URLCONFS[CT_TIER]
CT_SOURCE_TIMEOUT_S = env.float("CT_SOURCE_TIMEOUT_S", default=10.0)
CT_SOURCE_RETRIES = env.int("CT_SOURCE_RETRIES", default=2)  # extra attempts, idempotent GETs only
CT_SOURCE_BREAKER_THRESHOLD = env.int("CT_SOURCE_BREAKER_THRESHOLD", default=3)  # consecutive failures
CT_SOURCE_BREAKER_COOLDOWN_S = env.float("CT_SOURCE_BREAKER_COOLDOWN_S", default=30.0)  # then one trial call
# Each tier has its own cookies, so tiers on one host (ports differ, cookies don't) keep their own
# sign-in: ct_control_* on a control tier, else ct_<CT_SOURCE_NAME>_*.
_COOKIE_TIER = "control" if CT_TIER == "control" else CT_SOURCE_NAME
SESSION_COOKIE_NAME = env.str("SESSION_COOKIE_NAME", default="") or f"ct_{_COOKIE_TIER}_sessionid"
CSRF_COOKIE_NAME = env.str("CSRF_COOKIE_NAME", default="") or f"ct_{_COOKIE_TIER}_csrftoken"
# Diagnostics: recent CI workflow outcomes (degraded, not failing, when unset).
GITHUB_REPOSITORY = env.str("GITHUB_REPOSITORY", default="")
GITHUB_TOKEN = env.str("GITHUB_TOKEN", default="")
GITHUB_API_URL = env.str("GITHUB_API_URL", default="https://api.github.com")

# Build identity, shown by /version.
BUILD_ID = env.str("BUILD_ID", default="")
GIT_SHA = env.str("GIT_SHA", default="")
RELEASE_TAG = env.str("RELEASE_TAG", default="")

# API
CT_PUBLIC_READ = env.bool("CT_PUBLIC_READ", default=False)
CT_MAX_BODY_BYTES = env.int("CT_MAX_BODY_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = CT_MAX_BODY_BYTES
# OpenLineage events as received (LINEAGE_EVENTS) are kept this many days; 0 keeps them forever.
CT_LINEAGE_EVENTS_RETENTION_DAYS = env.int("CT_LINEAGE_EVENTS_RETENTION_DAYS", default=30)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "controltower.api.auth.TokenOrBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["controltower.api.auth.RolePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["controltower.api.parsers.SafeJSONParser"],  # the API speaks JSON only
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "controltower.api.negotiation.StrictFormatNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "controltower.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # controltower/api/throttles.py: a rate per person (or address) over every API call, and one per
    # route class. "N/s|min|hour|day"; empty = no limit. Control tiers' service accounts are exempt
    # from the per-person rate (they call for everyone); their route-class calls count for the person
    # named in X-Acting-User.
    "DEFAULT_THROTTLE_CLASSES": [
        "controltower.api.throttles.CallerThrottle",
        "controltower.api.throttles.RouteClassThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("CT_THROTTLE_USER", default="3000/min"),
        "anon": env.str("CT_THROTTLE_ANON", default="600/min"),  # CT_PUBLIC_READ, per client address
        "writes": env.str("CT_THROTTLE_WRITES", default="120/min"),  # every POST/PUT/PATCH/DELETE
        "ingest": env.str("CT_THROTTLE_INGEST", default="6000/min"),  # OpenLineage requests (a batch is one)
        "assisted_triage": env.str("CT_THROTTLE_ASSISTED_TRIAGE", default="30/min"),  # mode=assisted
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Control Tower API",
    "DESCRIPTION": "Operations and governance console for data platform teams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files: the docs work offline and under the
    # Content-Security-Policy below (no CDN, no inline script: controltower/urls/common.py).
    # ReDoc (/api/redoc/) from the sidecar's bundle too, with what it needs beyond the policy below
    # allowed on its page only: controltower/api_docs.py.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge image from the public validator service.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs' sections, in this order; controltower.api.schema_areas tags each operation by path.
    "TAGS": [
        {
            "name": "pipelines",
            "description": "The pipeline catalogue, one pipeline, the overview summary, stale datasets.",
        },
        {"name": "runs", "description": "A pipeline's runs, newest first."},
        {"name": "sla", "description": "Service levels: each pipeline's target, attainment and breaches."},
        {"name": "incidents", "description": "Failed and late runs as incidents, newest first."},
        {"name": "alerts", "description": "Alert incidents and their deliveries to the configured channels."},
        {"name": "costs", "description": "Spend: totals, trend, ranking, anomalies and their investigation."},
        {
            "name": "lineage",
            "description": "OpenLineage ingest (POST /api/v1/lineage), the events kept, facet coverage, "
            "and each pipeline's lineage graph and downstream impact.",
        },
        {
            "name": "policies",
            "description": "Policy profiles, their assignment to scopes, and what is in effect.",
        },
        {"name": "data-quality", "description": "Data-quality standards and what is in effect per scope."},
        {"name": "runbooks", "description": "Runbook coverage and governed runbook links."},
        {
            "name": "exceptions",
            "description": "Policy and DQ exceptions: the register, the review queue, reviews.",
        },
        {
            "name": "audit",
            "description": "The append-only change history of policies, DQ standards and runbooks.",
        },
        {
            "name": "scorecards",
            "description": "Governance posture and its trend, team scorecards, the executive report and the "
            "export bundle.",
        },
        {
            "name": "triage",
            "description": "Run explanations and triage queries (rules, optionally assisted).",
        },
        {
            "name": "aggregate",
            "description": "What only the control tier serves: governance drill-downs and operational "
            "diagnostics.",
        },
        {"name": "identity", "description": "Liveness and the deployment's version (no login needed)."},
    ],
    "ENUM_NAME_OVERRIDES": {  # the names published before alerting's enums arrived stay as they were
        "StateEnum": "governance_app.choices.RunbookState",
        "AlertStateEnum": "alerting_app.choices.State",
        "AlertKindEnum": "alerting_app.choices.Kind",
        "AlertSeverityEnum": "alerting_app.choices.Severity",
        "AlertActionEnum": "alerting_app.choices.Action",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "controltower.api.schema_areas.document_areas",  # one tag per operation, by path
        "controltower.api.schema.document_errors",  # the error answers every route shares
        "aggregate_app.api.schema.document_answers",  # merged answers, typed from the sources' schema
        "aggregate_app.api.schema.document_meta",  # the control tier's _meta on its answers
        "aggregate_app.api.examples.document_examples",  # the main answers' examples, merged
    ],
}

# Celery: Redis (or any broker URL) in production; with none, kombu's filesystem transport
# under the data directory, which a real worker and beat share without a server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
CELERY_BROKER_DIR = CT_DATA_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        # kombu sleeps this long whenever the worker cannot take a message (idle, or its slots
        # full): 1 s by default, which caps a backlog (alert deliveries) at a few tasks a second.
        "polling_interval": 0.1,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # With acks_late, a job whose worker died (SIGKILL, OOM, lost node) goes back to the queue
    # after this long; it must exceed the longest job (smoke: 1200 s soft limit), or a job still
    # running would be handed to a second worker. kombu's default is an hour.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_S", default=1800)
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else f"file://{CT_DATA_DIR / 'results'}"
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    (CT_DATA_DIR / "results").mkdir(parents=True, exist_ok=True)
# One deployment (or test) per queue when several share a Redis.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# Django's cache holds the API's throttle counters: CACHE_URL (e.g. redis://host:6379/2); by default
# the broker when it is Redis, so every worker and instance shares the counts; else each process
# counts alone (the embedded default).
_REDIS_BROKER = CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
CACHES = {
    "default": env.cache_url_config(env.str("CACHE_URL", default="") or _REDIS_BROKER or "locmemcache://")
}
CACHES["default"]["KEY_PREFIX"] = f"ct:{_COOKIE_TIER}"  # tiers sharing one Redis keep their own counts

# Response cache for the source API's pure reads (controltower/response_cache.py): 200 JSON answers
# of the routes below, kept in Django's cache (Redis when CACHE_URL or the broker is Redis, else per
# process) for CT_RESPONSE_CACHE_SECONDS and filed under the data versions, so a change of telemetry
# or governance shows in the next request; figures relative to now are at most that many seconds
# old. 0 turns it off. The versions and routes are wiring, not environment variables.
CT_RESPONSE_CACHE_SECONDS = env.int("CT_RESPONSE_CACHE_SECONDS", default=10)
CT_RESPONSE_CACHE_VERSIONS = ["pipelines_app.data_version.current", "governance_app.data_version.current"]
CT_RESPONSE_CACHE_ROUTES = [
    # telemetry (pipelines_app/api/urls.py): every read of the warehouse
    *("summary", "pipelines", "pipeline-keys", "pipeline", "pipeline-runs", "pipeline-sla"),
    *("pipeline-impact", "pipeline-lineage", "pipeline-cost", "run", "incidents", "incidents-daily"),
    *("datasets", "datasets-stale", "dataset", "dataset-columns", "sla-pipelines", "lineage-events"),
    *("lineage-coverage", "costs", "costs-trend", "costs-pipelines", "costs-anomalies"),
    "costs-anomalies-investigate",
    # governance (governance_app/api/urls.py): JSON reads; not the CSV/bundle/report exports
    *("policies-profiles", "policies-effective", "policies-history", "policies-exceptions"),
    *("policies-review-queue", "runbooks", "runbooks-governance", "runbooks-governance-history"),
    *("dq-standards", "dq-effective", "dq-history", "dq-exceptions", "scorecards-teams"),
    *("governance-posture", "governance-posture-trend"),
    # not triage: explanations follow the triage rules (edited in the admin, no data version)
]
MIDDLEWARE.append("controltower.response_cache.ResponseCacheMiddleware")  # after authentication
# The control tier's ops pages keep the aggregate answers they read (aggregate_app/pages/kept.py):
# served for CT_PAGE_DATA_SECONDS, then up to CT_PAGE_DATA_MAX_AGE_S while refreshed in the
# background; the page shows their time ("Data as of"). 0 turns it off.
CT_PAGE_DATA_SECONDS = env.int("CT_PAGE_DATA_SECONDS", default=10)
CT_PAGE_DATA_MAX_AGE_S = env.int("CT_PAGE_DATA_MAX_AGE_S", default=120)
# The SQLite governance store keeps its connections between requests too (as PostgreSQL's do above):
# opening one runs its pragmas, about 1 ms of every API call, a cached answer's largest part.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))

# Production hardening (python manage.py check --deploy).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^version$", r"^metrics$"]
# Content-Security-Policy on every response (django-csp). Scripts and styles load only from this
# origin: the ops pages, the admin and Swagger UI have no inline <script>, <style>, style=
# attribute or on*= handler, so neither directive allows 'unsafe-inline'. A page that needs an
# inline element reads request.csp_nonce, which adds that response's nonce to both directives:
# only the printable executive report does (its <style> stays inline, so a saved copy keeps its
# layout). Styles that scripts set through the CSSOM (element.style, as the admin's and Swagger
# UI's scripts do) are not inline styles and need no exception. Swagger UI's icons are data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# A sign-in lasts CT_SESSION_AGE_S (default 8 h, a working day; counted from the session's last
# change, not from each request), and in production also ends when the browser closes.
SESSION_COOKIE_AGE = env.int("CT_SESSION_AGE_S", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=PRODUCTION)

# Operating it (controltower/observe, README "Operating it"): /metrics, JSON logs, tracing.
# /metrics is open outside production; in production it needs the bearer token or an allowed address.
CT_METRICS_TOKEN = secret("CT_METRICS_TOKEN")
CT_METRICS_ALLOW = env.list("CT_METRICS_ALLOW", default=[])  # CIDRs, e.g. 10.0.0.0/8
CT_WORKER_METRICS_PORT = env.int("CT_WORKER_METRICS_PORT", default=0)  # a Celery worker's /metrics; 0 = none
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")  # plain | json (ct.E041 names anything else)
_LOG_FORMATTERS = {
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    "json": {"()": "controltower.observe.logs.JsonFormatter"},
}
# Tracing (controltower/observe/tracing.py) is on when OTEL_EXPORTER_OTLP_ENDPOINT is set; the
# exporter reads the OTEL_* variables itself.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "controltower.observe.logs.ContextFilter"}},  # request and trace ids
    "formatters": {"default": _LOG_FORMATTERS.get(LOG_FORMAT, _LOG_FORMATTERS["plain"])},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["context"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # HTTP clients log whole request URLs (urllib3 at DEBUG, httpx at INFO), and a URL can
        # hold a secret: a webhook's path, credentials in an LLM endpoint's userinfo.
        "urllib3": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "axes.apps": {"level": "WARNING"},  # its start-up banner, on every manage.py command
    },
}

# Smoke contracts, scheduled jobs and alerts (aggregate_app.smoke, aggregate_app.jobs).
SMOKE_API_URL = env.str("SMOKE_API_URL", default="")  # scheduled API smoke; unset = every configured source
SMOKE_UI_URL = env.str("SMOKE_UI_URL", default="")  # scheduled UI smoke (this control tier's URL)
SMOKE_TOKEN = secret("SMOKE_TOKEN")
SMOKE_TIMEOUT_S = env.float("SMOKE_TIMEOUT_S", default=20.0)
SEMANTIC_PIPELINE_ID = env.str("SEMANTIC_PIPELINE_ID", default="p2")
ASSERT_RUNS7D_GT = env.int("ASSERT_RUNS7D_GT", default=1000)
IMPACT_REQUIRED = env.bool("IMPACT_REQUIRED", default=True)
SMOKE_ARTIFACT_DIR = Path(env.str("SMOKE_ARTIFACT_DIR", default=str(CT_DATA_DIR / "smoke")))
SMOKE_ALERT_WEBHOOK = secret("SMOKE_ALERT_WEBHOOK")  # smoke failures and recoveries
CT_ALERT_WEBHOOK = secret(
    "CT_ALERT_WEBHOOK"
)  # other alerts (cost anomalies); falls back to SMOKE_ALERT_WEBHOOK
CT_ALERT_TIMEOUT_S = env.float("CT_ALERT_TIMEOUT_S", default=10.0)
# Alert incidents (alerting_app): the channel lookup (name -> adapter), the route when no rule
# and no team channel matches, how long downstream symptoms join a root failure, delivery retries.
CT_ALERT_CHANNELS_PROVIDER = env.str(
    "CT_ALERT_CHANNELS_PROVIDER", default="alerting_app.channels.registry.get"
)
CT_ALERT_DEFAULT_CHANNELS = env.list("CT_ALERT_DEFAULT_CHANNELS", default=["recording"])
CT_ALERT_GROUP_WINDOW_S = env.int("CT_ALERT_GROUP_WINDOW_S", default=1800)
CT_ALERT_MAX_ATTEMPTS = env.int("CT_ALERT_MAX_ATTEMPTS", default=8)
CT_ALERT_RETRY_BASE_S = env.float("CT_ALERT_RETRY_BASE_S", default=5.0)
CT_ALERT_CLAIM_TIMEOUT_S = env.int("CT_ALERT_CLAIM_TIMEOUT_S", default=120)
CT_ALERT_PUBLIC_URL = env.str("CT_ALERT_PUBLIC_URL", default="")  # links in notifications
# A failed run's ingest nudges the control tier to evaluate at once (pipelines_app/ingest/nudge.py):
# on a source, the control tier's URL (unset = no nudge; the minute schedule still evaluates) and
# the shared token; on the control tier, the same token, and the window that debounces nudges.
CT_ALERT_NUDGE_URL = env.str("CT_ALERT_NUDGE_URL", default="")
CT_ALERT_NUDGE_TOKEN = secret("CT_ALERT_NUDGE_TOKEN")
CT_ALERT_NUDGE_TIMEOUT_S = env.float("CT_ALERT_NUDGE_TIMEOUT_S", default=3.0)
CT_ALERT_NUDGE_DEBOUNCE_S = env.float("CT_ALERT_NUDGE_DEBOUNCE_S", default=3.0)
# Pages other apps add to the ops pages' navigation, and sections they add to diagnostics
# (aggregate_app cannot import the apps above it).
CT_OPS_EXTRA_NAV = [{"label": "Alerts", "url": "/ops/alerts/"}]
CT_DIAGNOSTICS_SECTIONS_PROVIDER = "alerting_app.diagnostics.sections"

# Alert channels (alerting_app/channels): "name=kind,..." (slack, teams, email, pagerduty, opsgenie,
# webhook); each channel's URL / key / recipients come from CT_ALERT_CHANNEL_<NAME>_* (or *_FILE),
# read by alerting_app/channels/registry.py. The channel "recording" is always there.
CT_ALERT_CHANNELS = env.str("CT_ALERT_CHANNELS", default="")
# Email for the "email" channel kind: EMAIL_URL=smtp+tls://user:password@smtp.example.com:587 (or
# EMAIL_URL_FILE); unset keeps Django's default, SMTP on localhost:25.
if secret("EMAIL_URL"):
    globals().update(env.email_url_config(secret("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="controltower@localhost")

# Assisted triage (triage_app): an LLM may enrich the deterministic answer. The provider is bedrock
# unless set (empty = bedrock); without AWS credentials it is not configured and mode=assisted answers
# with the deterministic rules and a warning (ASSISTED_FAILURE_POLICY=fallback).
ASSISTED_TRIAGE_PROVIDER = (
    env.str("ASSISTED_TRIAGE_PROVIDER", default="") or "bedrock"
)  # bedrock | azure_openai | openai | auto
ASSISTED_FAILURE_POLICY = env.str("ASSISTED_FAILURE_POLICY", default="fallback")  # fallback | strict (503)
ASSISTED_RETRY_MAX_ATTEMPTS = env.int("ASSISTED_RETRY_MAX_ATTEMPTS", default=4)
ASSISTED_RETRY_BASE_MS = env.int("ASSISTED_RETRY_BASE_MS", default=300)
ASSISTED_TIMEOUT_S = env.float("ASSISTED_TIMEOUT_S", default=30.0)
BEDROCK_DEFAULT_MODEL_ID = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"  # a cross-region profile
BEDROCK_MODEL_ID = env.str("BEDROCK_MODEL_ID", default="") or BEDROCK_DEFAULT_MODEL_ID
BEDROCK_REGION = (
    env.str("BEDROCK_REGION", default="") or env.str("AWS_REGION", default="") or "ap-southeast-2"
)
AZURE_OPENAI_ENDPOINT = env.str("AZURE_OPENAI_ENDPOINT", default="")
AZURE_OPENAI_API_KEY = secret("AZURE_OPENAI_API_KEY")
AZURE_OPENAI_DEPLOYMENT = env.str("AZURE_OPENAI_DEPLOYMENT", default="")
AZURE_OPENAI_API_VERSION = env.str("AZURE_OPENAI_API_VERSION", default="2024-10-21")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")  # any OpenAI-compatible endpoint (vLLM, Ollama, ...)
OPENAI_API_KEY = secret("OPENAI_API_KEY")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="")
