"""Faster API tests: moto and the function instances are built once per test module, the table once per test.

Provisioning every resource of template.yaml (KMS key, every queue and DLQ, the table) for each test costs
far more than most API tests themselves. These fixtures do it once per module and give each test a fresh
table, created again with the very parameters `provision` used, so tests stay independent. (Emptying the
table would not do: moto keeps every stream record and copies the whole table on each transaction.)

A test module uses them by naming them, which overrides the conftest's `aws_env` and `api`:

    aws_env, api = module_env.aws_env, module_env.api
    module_api, module_aws = module_env.module_api, module_env.module_aws
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from herald import caches, settings
from herald.auth import middleware
from herald_local.template import Resolver, Template, provision
from tests.support.apigw import ApiClient

REGION = "us-east-1"


def reset_caches() -> None:
    caches.reset()


def set_function_environment(patch: pytest.MonkeyPatch, resolver: Resolver) -> None:
    """The functions' environment as the template gives it, with the tests' loopback targets and short waits."""
    for key, value in resolver.environment().items():
        patch.setenv(key, value)
    patch.setenv("HERALD_ALLOW_PRIVATE_TARGETS", "1")
    patch.setenv("HERALD_RETRY_BASE_SECONDS", "1")
    patch.setenv("HERALD_HTTP_TIMEOUT_SECONDS", "2")


@dataclass
class TableRecipe:
    """The DynamoDB calls `provision` made, recorded so that each test can replay them."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _client: Any = None

    def clients(self, service: str) -> Any:
        client = boto3.client(service, region_name=REGION)  # type: ignore[call-overload]
        if service == "dynamodb":
            for operation in ("CreateTable", "UpdateTimeToLive"):
                client.meta.events.register(f"provide-client-params.dynamodb.{operation}", self._recorder(operation))
        return client

    def _dynamodb(self) -> Any:
        if self._client is None:
            self._client = boto3.client("dynamodb", region_name=REGION)
        return self._client

    def _recorder(self, operation: str) -> Any:
        def record(params: dict[str, Any], **_: Any) -> None:
            self.calls.append((operation, copy.deepcopy(params)))

        return record

    def recreate(self) -> None:
        dynamodb = self._dynamodb()
        for operation, params in self.calls:
            if operation == "CreateTable":
                dynamodb.delete_table(TableName=params["TableName"])
                dynamodb.create_table(**params)
            else:
                dynamodb.update_time_to_live(**params)


@pytest.fixture(scope="module")
def module_aws() -> Iterator[tuple[Resolver, TableRecipe]]:
    """The conftest's aws_env, once per module."""
    recipe = TableRecipe()
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        resolver = provision(Template(), recipe.clients)
        set_function_environment(patch, resolver)
        reset_caches()
        yield resolver, recipe
        reset_caches()


@pytest.fixture
def aws_env(module_aws: tuple[Resolver, TableRecipe]) -> Iterator[Resolver]:
    """Overrides the conftest's aws_env: the module's moto, with a table of its own for this test."""
    resolver, recipe = module_aws
    recipe.recreate()
    middleware.clear_cache()
    yield resolver
    middleware.clear_cache()
    settings.get_settings.cache_clear()  # in case the test changed the environment


@pytest.fixture(scope="module")
def module_api(module_aws: tuple[Resolver, TableRecipe]) -> ApiClient:
    return ApiClient()


@pytest.fixture
def api(module_api: ApiClient, aws_env: Resolver) -> ApiClient:
    """Overrides the conftest's api: the module's function instances (a warm container per function)."""
    return module_api
