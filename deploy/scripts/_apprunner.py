#!/usr/bin/env python3
"""Compose App Runner request JSON for the deploy scripts (standard library only).

    _apprunner.py create [--redact]  # CreateService input from the environment
    _apprunner.py update [--redact]  # UpdateService input: the service's current source
                                     #   configuration (JSON on stdin, from describe-service)
                                     #   with IMAGE_IDENTIFIER swapped in

Every exported SF_* variable (the Snowflake connection) reaches the service: an ARN value as a
Secrets Manager / SSM reference, any other as a plain variable. --redact masks secret-looking
plain values (for printing a dry run).

Environment: SERVICE_NAME, IMAGE_IDENTIFIER, ACCESS_ROLE_ARN, INSTANCE_ROLE_ARN, PORT, CPU, MEMORY,
RUNTIME_ENV ("NAME=value,..." plain settings), RUNTIME_SECRETS ("NAME=arn,..." Secrets Manager /
SSM references: values never travel in clear), SERVICE_ARN (update)."""

import json
import os
import re
import sys

SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASS|KEY|CREDENTIAL|PRIVATE")


def pairs(raw: str) -> dict:
    out = {}
    for item in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, value = item.partition("=")
        if not sep:
            sys.exit(f"_apprunner: {item!r} is not NAME=value")
        out[name.strip()] = value.strip()
    return out


def snowflake() -> tuple[dict, dict]:
    """The exported SF_* variables: (plain variables, secret references)."""
    plain, refs = {}, {}
    for name in sorted(k for k in os.environ if k.startswith("SF_") and os.environ[k]):
        value = os.environ[name]
        if value.startswith("arn:"):
            refs[name] = value
        else:
            plain[name] = value
            if SECRET_NAME.search(name):
                hint = f"RUNTIME_SECRETS={name}=<secret-arn> keeps it in Secrets Manager"
                print(f"_apprunner: {name} goes to the service as a plain variable; {hint}", file=sys.stderr)
    return plain, refs


def image_configuration() -> dict:
    config = {"Port": os.environ.get("PORT", "8000")}
    build = {k: os.environ[k] for k in ("BUILD_ID", "GIT_SHA", "RELEASE_TAG") if os.environ.get(k)}
    sf_plain, sf_refs = snowflake()
    env = {**pairs(os.environ.get("RUNTIME_ENV", "")), **sf_plain, **build}
    if env:
        config["RuntimeEnvironmentVariables"] = env
    secrets = {**pairs(os.environ.get("RUNTIME_SECRETS", "")), **sf_refs}
    if secrets:
        config["RuntimeEnvironmentSecrets"] = secrets
    return config


def create() -> dict:
    source = {
        "ImageRepository": {
            "ImageIdentifier": os.environ["IMAGE_IDENTIFIER"],
            "ImageRepositoryType": "ECR",
            "ImageConfiguration": image_configuration(),
        },
        "AutoDeploymentsEnabled": False,
    }
    if os.environ.get("ACCESS_ROLE_ARN"):
        source["AuthenticationConfiguration"] = {"AccessRoleArn": os.environ["ACCESS_ROLE_ARN"]}
    request = {
        "ServiceName": os.environ.get("SERVICE_NAME", "controltower"),
        "SourceConfiguration": source,
        "InstanceConfiguration": {
            "Cpu": os.environ.get("CPU", "1 vCPU"),
            "Memory": os.environ.get("MEMORY", "2 GB"),
        },
        "HealthCheckConfiguration": {
            "Protocol": "HTTP",
            "Path": "/health",
            "Interval": 10,
            "Timeout": 5,
            "HealthyThreshold": 1,
            "UnhealthyThreshold": 5,
        },
    }
    if os.environ.get("INSTANCE_ROLE_ARN"):
        request["InstanceConfiguration"]["InstanceRoleArn"] = os.environ["INSTANCE_ROLE_ARN"]
    return request


def update(current: dict) -> dict:
    source = current.get("Service", current).get("SourceConfiguration", {})
    repo = source.setdefault("ImageRepository", {"ImageRepositoryType": "ECR", "ImageConfiguration": {}})
    repo["ImageIdentifier"] = os.environ["IMAGE_IDENTIFIER"]
    build = {k: os.environ[k] for k in ("BUILD_ID", "GIT_SHA", "RELEASE_TAG") if os.environ.get(k)}
    sf_plain, sf_refs = snowflake()
    config = repo.setdefault("ImageConfiguration", {})
    if build or sf_plain:
        config.setdefault("RuntimeEnvironmentVariables", {}).update({**sf_plain, **build})
    if sf_refs:
        config.setdefault("RuntimeEnvironmentSecrets", {}).update(sf_refs)
    source.pop("CodeRepository", None)
    return {"ServiceArn": os.environ["SERVICE_ARN"], "SourceConfiguration": source}


def redacted(request: dict) -> dict:
    image = request.get("SourceConfiguration", {}).get("ImageRepository", {})
    env = image.get("ImageConfiguration", {}).get("RuntimeEnvironmentVariables", {})
    for name in env:
        if SECRET_NAME.search(name):
            env[name] = "***"
    return request


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    show = redacted if "--redact" in sys.argv[2:] else (lambda request: request)
    if action == "create":
        print(json.dumps(show(create()), indent=2))
    elif action == "update":
        print(json.dumps(show(update(json.load(sys.stdin))), indent=2))
    else:
        sys.exit(__doc__)
