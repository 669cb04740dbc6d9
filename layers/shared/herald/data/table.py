"""The one DynamoDB table, built once per container."""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.exceptions import ClientError

from herald.aws import BUILDING, aws_config
from herald.settings import get_settings


def table() -> Any:
    return _table(get_settings().table_name)


@functools.lru_cache(maxsize=4)
def _table(name: str) -> Any:
    # Building a Table resource loads its definition (~10 ms): once per container, not once per call.
    with BUILDING:
        return _resource().Table(name)


@functools.lru_cache(maxsize=1)
def _resource() -> Any:
    with BUILDING:
        return boto3.resource("dynamodb", config=aws_config())


def clear_cache() -> None:
    _table.cache_clear()
    _resource.cache_clear()


def client() -> Any:
    """The table's low-level client (same connection pool, high-level value types)."""
    return table().meta.client


def query_all(**kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a Query, page after page (one call per 1 MB page)."""
    items: list[dict[str, Any]] = []
    while True:
        page = table().query(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_conditional_failure(error: ClientError) -> bool:
    return error_code(error) == "ConditionalCheckFailedException"


def cancellation_reasons(error: ClientError) -> list[str]:
    reasons = error.response.get("CancellationReasons") or []
    return [str(reason.get("Code", "None")) for reason in reasons]


def item_on_failure(error: ClientError) -> dict[str, Any] | None:
    """The item a failed conditional write found (asked for with ReturnValuesOnConditionCheckFailure=ALL_OLD),
    in Python types; None when there was no item. Saves a read on the failure path only."""
    from boto3.dynamodb.types import TypeDeserializer

    raw = error.response.get("Item")
    if not raw:
        return None
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in raw.items()}
