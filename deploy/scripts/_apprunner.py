#!/usr/bin/env python3
"""Compose App Runner request JSON for the deploy scripts (standard library only).

    _apprunner.py create    # CreateService input from the environment
    _apprunner.py update    # UpdateService input: the service's current source configuration
                            #   (JSON on stdin, from describe-service) with IMAGE_IDENTIFIER swapped in

Environment: SERVICE_NAME, IMAGE_IDENTIFIER, ACCESS_ROLE_ARN, INSTANCE_ROLE_ARN, PORT, CPU, MEMORY,
RUNTIME_ENV ("NAME=value,..." plain settings), RUNTIME_SECRETS ("NAME=arn,..." Secrets Manager /
SSM references: values never travel in clear), SERVICE_ARN (update)."""

import json
import os
import sys


def pairs(raw: str) -> dict:
    out = {}
    for item in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, value = item.partition("=")
        if not sep:
            sys.exit(f"_apprunner: {item!r} is not NAME=value")
        out[name.strip()] = value.strip()
    return out


def image_configuration() -> dict:
    config = {"Port": os.environ.get("PORT", "8000")}
    build = {k: os.environ[k] for k in ("BUILD_ID", "GIT_SHA", "RELEASE_TAG") if os.environ.get(k)}
    env = {**pairs(os.environ.get("RUNTIME_ENV", "")), **build}
    if env:
        config["RuntimeEnvironmentVariables"] = env
    secrets = pairs(os.environ.get("RUNTIME_SECRETS", ""))
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
    if build:
        env = repo.setdefault("ImageConfiguration", {}).setdefault("RuntimeEnvironmentVariables", {})
        env.update(build)
    source.pop("CodeRepository", None)
    return {"ServiceArn": os.environ["SERVICE_ARN"], "SourceConfiguration": source}


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    if action == "create":
        print(json.dumps(create(), indent=2))
    elif action == "update":
        print(json.dumps(update(json.load(sys.stdin)), indent=2))
    else:
        sys.exit(__doc__)
