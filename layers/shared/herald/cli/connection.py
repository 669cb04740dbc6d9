"""Where the CLI points: the local stack (a loopback AWS_ENDPOINT_URL) or a deployed CloudFormation stack.

The herald library reads its table, KMS key, queues and target policy from the environment the functions
get. The CLI fills in what the operator's environment does not already say:
- local stack: dummy credentials and its region, and the functions' environment that `make run`
  publishes on the local endpoint (an SSM parameter), so its HERALD_ALLOW_PRIVATE_TARGETS is followed;
- AWS: the stack's outputs (`TableName`, `KmsKeyId`), its `AllowPrivateTargets` parameter and its queues.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from herald.cli.failures import CliError
from herald.settings import DELIVERY_KINDS

# The parameter the local stack publishes its functions' environment in (see herald_local.stack).
LOCAL_ENVIRONMENT_PARAMETER = "/herald-local/environment"
LOCAL_REGION = "us-east-1"
LOCAL_QUEUE_PREFIX = "herald-"
# Environment the herald library reads; an operator's own value always wins.
FUNCTION_VARIABLES = (
    "TABLE_NAME",
    "HERALD_KMS_KEY_ID",
    "HERALD_ALLOW_PRIVATE_TARGETS",
    *(f"QUEUE_URL_{kind.upper()}" for kind in DELIVERY_KINDS),
)


def queue_logical_prefix(kind: str) -> str:
    """The template names a kind's queues `<Prefix>Queue` and `<Prefix>DeadLetterQueue` (the channel contract)."""
    from herald.delivery.contract import channel

    found = channel(kind)
    if found is None:
        raise CliError(f"no delivery kind {kind!r}", code=2)
    return found.queue


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Target:
    stack: str
    region: str
    endpoint_url: str | None
    local: bool
    queues: dict[str, str] = field(default_factory=dict)  # logical id → URL, read on demand

    def describe(self) -> str:
        return f"the local stack at {self.endpoint_url}" if self.local else f"stack {self.stack} in {self.region}"

    def queue_urls(self) -> dict[str, str]:
        """Every queue of the stack by logical id (`WebhookQueue`, `WebhookDeadLetterQueue`, …)."""
        if not self.queues:
            self.queues = _local_queues() if self.local else _stack_queues(self.stack)
        return self.queues

    def ensure_queue_environment(self) -> None:
        """QUEUE_URL_<KIND> for every kind, for the library code that queues deliveries."""
        for kind in DELIVERY_KINDS:
            name = f"QUEUE_URL_{kind.upper()}"
            if not os.environ.get(name):
                os.environ[name] = self.queue_url(f"{queue_logical_prefix(kind)}Queue")
        from herald.settings import get_settings

        get_settings.cache_clear()

    def queue_url(self, logical_id: str) -> str:
        try:
            return self.queue_urls()[logical_id]
        except KeyError:
            raise CliError(f"{self.describe()} has no queue {logical_id}") from None


def connect(stack: str, endpoint_url: str | None = None, region: str | None = None) -> Target:
    """Points boto3 and the herald library at the stack; fills in what the environment leaves out."""
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    local = bool(endpoint) and is_loopback(str(endpoint))
    chosen_region = (
        region
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or (LOCAL_REGION if local else _configured_region())
    )
    if not chosen_region:
        raise CliError("no AWS region: pass --region or set AWS_REGION")
    changed = _set("AWS_REGION", chosen_region) | _set("AWS_DEFAULT_REGION", chosen_region)
    if endpoint:
        changed |= _set("AWS_ENDPOINT_URL", str(endpoint))
    if local and not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE"):
        # moto accepts any credentials; the local stack needs none from the operator.
        changed |= _set("AWS_ACCESS_KEY_ID", "local") | _set("AWS_SECRET_ACCESS_KEY", "local")
    if os.environ.get("HERALD_TABLE"):
        os.environ["TABLE_NAME"] = os.environ["HERALD_TABLE"]
    if changed:
        _forget_clients()
    target = Target(stack=stack, region=chosen_region, endpoint_url=endpoint, local=local)
    # The local stack fills every gap. Against AWS, a table named in the environment makes the environment
    # the configuration (tests, scripts); otherwise the CloudFormation stack says where everything is.
    missing = [name for name in FUNCTION_VARIABLES if not os.environ.get(name)]
    if missing and (local or "TABLE_NAME" in missing):
        found = _local_environment(target, required="TABLE_NAME" in missing) if local else _stack_environment(target)
        for name in missing:
            if found.get(name):
                os.environ[name] = found[name]
    from herald.settings import get_settings

    get_settings.cache_clear()
    return target


def _set(name: str, value: str) -> bool:
    if os.environ.get(name) == value:
        return False
    os.environ[name] = value
    return True


def _forget_clients() -> None:
    """Clients built before the endpoint or region changed would keep the old ones."""
    from herald import aws
    from herald.data import table

    aws.client.cache_clear()
    table.clear_cache()


def _configured_region() -> str | None:
    import boto3

    region: str | None = boto3.session.Session().region_name
    return region


def _local_environment(target: Target, required: bool = True) -> dict[str, str]:
    from herald.aws import client

    try:
        value = client("ssm").get_parameter(Name=LOCAL_ENVIRONMENT_PARAMETER)["Parameter"]["Value"]
    except Exception as error:
        if _error_code(error) == "ParameterNotFound":
            if not required:
                return {}
            raise CliError(
                f"no Herald local stack at {target.endpoint_url} in region {target.region}"
                f" (the local stack runs in {LOCAL_REGION}; start it with `make run`)"
            ) from None
        raise
    published: dict[str, str] = json.loads(value)
    return published


def _stack_environment(target: Target) -> dict[str, str]:
    """The table, key and target policy from the stack; queue URLs from its resources."""
    stack = _describe_stack(target.stack)
    outputs = {o["OutputKey"]: str(o["OutputValue"]) for o in stack.get("Outputs", [])}
    parameters = {p["ParameterKey"]: str(p.get("ParameterValue", "")) for p in stack.get("Parameters", [])}
    if "TableName" not in outputs:
        raise CliError(f"stack {target.stack} has no TableName output; set HERALD_TABLE")
    found = {
        "TABLE_NAME": outputs["TableName"],
        "HERALD_KMS_KEY_ID": outputs.get("KmsKeyId", ""),
        "HERALD_ALLOW_PRIVATE_TARGETS": parameters.get("AllowPrivateTargets", "0"),
    }
    return found


def _describe_stack(name: str) -> dict[str, Any]:
    from herald.aws import client

    try:
        stacks = client("cloudformation").describe_stacks(StackName=name)["Stacks"]
    except Exception as error:
        if _error_code(error) == "ValidationError":
            raise CliError(
                f"no CloudFormation stack {name} in {os.environ.get('AWS_REGION')}"
                " (pass --stack NAME, or AWS_ENDPOINT_URL=http://127.0.0.1:5000 for the local stack)"
            ) from None
        raise
    stack: dict[str, Any] = stacks[0]
    return stack


def _stack_queues(stack: str) -> dict[str, str]:
    from herald.aws import client

    queues: dict[str, str] = {}
    for page in client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack):
        for resource in page["StackResourceSummaries"]:
            if resource["ResourceType"] == "AWS::SQS::Queue":
                queues[resource["LogicalResourceId"]] = resource["PhysicalResourceId"]
    return queues


def _local_queues() -> dict[str, str]:
    """The local stack names each template queue `herald-<LogicalId>`."""
    from herald.aws import client

    urls = client("sqs").list_queues(QueueNamePrefix=LOCAL_QUEUE_PREFIX).get("QueueUrls", [])
    return {str(url).rsplit("/", 1)[-1][len(LOCAL_QUEUE_PREFIX) :]: str(url) for url in urls}


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))
