"""Shared fixtures: AWS on moto (resources created from template.yaml), API keys, a loopback receiver."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
    POWERTOOLS_DEV="false",
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from herald import aws, caches, ids
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs
from herald_local.template import Resolver, Template, provision
from tests.support.apigw import ApiClient
from tests.support.fake_clock import FakeClock
from tests.support.module_env import set_function_environment
from tests.support.receiver import Receiver


def reset_caches() -> None:
    """Everything cached per container, boto3 clients (and any event hooks a test put on them) included."""
    caches.reset()


def reset_settings() -> None:
    """Settings and the key cache follow each test's environment. boto3 clients are kept: creating them is
    the slowest part of a test, and moto intercepts them whichever mock_aws context is active."""
    caches.reset(clients=False)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Resolver]:
    """moto in-process with the template's table, queues and KMS key; env as the functions get it."""
    with mock_aws():
        resolver = provision(Template(), aws.client)
        set_function_environment(monkeypatch, resolver)
        reset_settings()
        yield resolver
        reset_settings()


@pytest.fixture
def atomic_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each AWS request atomic, as DynamoDB makes every conditional write. In-process moto has no locking,
    so two threads' conditional writes could both pass there and a race test would prove nothing."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.RLock()
    original = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return original(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)


@pytest.fixture
def org_id(aws_env: Resolver) -> str:
    org = ids.org_id()
    orgs.ensure(org)
    return org


@pytest.fixture
def make_token(aws_env: Resolver) -> Callable[..., str]:
    def make(org: str, scopes: list[str] | None = None) -> str:
        return create_key(org, list(ALL_SCOPES) if scopes is None else scopes)

    return make


@pytest.fixture
def token(org_id: str, make_token: Callable[..., str]) -> str:
    return make_token(org_id)


@pytest.fixture
def api(aws_env: Resolver) -> ApiClient:
    return ApiClient()


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Herald's clock, driven by the test (starts at T0)."""
    return FakeClock(monkeypatch)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def sqs_messages(queue_url: str, max_messages: int = 10) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    found: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], WaitTimeSeconds=0
        ).get("Messages", [])
        if not batch:
            return found
        found.extend(batch)
        if len(found) >= max_messages:
            return found


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long` go first: pytest-xdist hands out tests in this order, so each starts at once on
    a worker instead of ending the run alone."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Prints the figures the security suite records (`record_property("security", "...")`)."""
    lines = []
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", []):
                if name == "security" and getattr(report, "when", "call") == "call":
                    lines.append(str(value))
    if lines:
        terminalreporter.write_sep("=", "security figures")
        for line in sorted(set(lines)):
            terminalreporter.write_line(line)
