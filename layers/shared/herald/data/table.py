"""The one DynamoDB table, built once per container, and the storage layer's error translation.

`table()` and `client()` hand out the table and its client wrapped so that no `ClientError` leaves the
storage layer: a failed condition raises ConditionFailed (with the item it found, when one was asked
for), a cancelled transaction TransactionCanceled (with each item's reason), a throttle or an AWS outage
ServiceUnavailable, anything else StorageFailed (chained to the ClientError, for the log). The first two
remain ClientErrors, so that code written against botocore's exception keeps working.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import boto3
from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder
from botocore.exceptions import ClientError

from herald.aws import BUILDING, aws_config
from herald.errors import ServiceUnavailable
from herald.settings import get_settings

# ClientError codes that mean "try again", not "Herald is wrong".
TRANSIENT_AWS_ERRORS = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
    }
)
_CALLS = frozenset(
    {
        "get_item",
        "put_item",
        "update_item",
        "delete_item",
        "query",
        "scan",
        "batch_get_item",
        "batch_write_item",
        "transact_write_items",
        "transact_get_items",
    }
)


class ConditionFailed(ClientError):  # type: ignore[misc]  # botocore ships no types
    """A conditional write found its condition false. `item`: the item it found (asked for with
    ReturnValuesOnConditionCheckFailure=ALL_OLD), in Python types; None when there was none. Still a
    ClientError, so code written against botocore's exception keeps working."""

    def __init__(self, error: ClientError) -> None:
        super().__init__(error.response, error.operation_name)  # type: ignore[arg-type]
        self.item = _item_on_failure(error)


class TransactionCanceled(ClientError):  # type: ignore[misc]  # botocore ships no types
    """A TransactWriteItems was cancelled; `reasons` holds each item's code, in request order ("None":
    that item was fine)."""

    def __init__(self, error: ClientError) -> None:
        super().__init__(error.response, error.operation_name)  # type: ignore[arg-type]
        self.reasons = _cancellation_reasons(error)

    def failed(self, index: int) -> bool:
        return len(self.reasons) > index and self.reasons[index] == "ConditionalCheckFailed"

    @property
    def conflicting(self) -> bool:
        """A concurrent transaction touched the same items: reading again and retrying will do."""
        return "TransactionConflict" in self.reasons


class StorageFailed(Exception):
    """DynamoDB refused a request for a reason no retry fixes (a bug or a misconfiguration)."""


def translated(error: ClientError) -> Exception:
    code = error_code(error)
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(error)
    if code == "TransactionCanceledException":
        return TransactionCanceled(error)
    if code in TRANSIENT_AWS_ERRORS:
        return ServiceUnavailable("Service temporarily unavailable, try again")
    return StorageFailed(f"{error.operation_name} failed: {code}")


class _Translating:
    """A boto3 Table or DynamoDB client whose requests raise the exceptions above instead of ClientError."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        return functools.partial(_request, value) if name in _CALLS else value


def _request(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **_with_expressions_built(kwargs))
    except ClientError as error:
        raise translated(error) from error


_EXPRESSIONS = (("ConditionExpression", False), ("FilterExpression", False), ("KeyConditionExpression", True))


def _with_expressions_built(request: dict[str, Any]) -> dict[str, Any]:
    """Turns Key(...)/Attr(...) conditions into expression strings with a builder of this request's own.

    boto3 would do it too, but with one builder per resource that each request resets: two threads of a
    delivery batch querying at once could send each other's placeholders ("Query condition missed key
    schema element")."""
    if not any(isinstance(request.get(name), ConditionBase) for name, _ in _EXPRESSIONS):
        return request
    builder = ConditionExpressionBuilder()
    built = dict(request)
    names = dict(built.get("ExpressionAttributeNames") or {})
    values = dict(built.get("ExpressionAttributeValues") or {})
    for name, is_key_condition in _EXPRESSIONS:
        condition = built.get(name)
        if isinstance(condition, ConditionBase):
            expression = builder.build_expression(condition, is_key_condition=is_key_condition)
            built[name] = expression.condition_expression
            names.update(expression.attribute_name_placeholders)
            values.update(expression.attribute_value_placeholders)
    if names:
        built["ExpressionAttributeNames"] = names
    if values:
        built["ExpressionAttributeValues"] = values
    return built


def written(write: Callable[..., Any], **request: Any) -> bool:
    """One conditional write: True when its condition held and it was applied, False when not."""
    try:
        write(**request)
        return True
    except ConditionFailed:
        return False


def table() -> Any:
    return _Translating(_table(get_settings().table_name))


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
    return _Translating(_table(get_settings().table_name).meta.client)


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


def _cancellation_reasons(error: ClientError) -> list[str]:
    reasons = error.response.get("CancellationReasons") or []
    return [str(reason.get("Code", "None")) for reason in reasons]


def _item_on_failure(error: ClientError) -> dict[str, Any] | None:
    from boto3.dynamodb.types import TypeDeserializer

    raw = error.response.get("Item")
    if not raw:
        return None
    deserializer = TypeDeserializer()
    return {name: deserializer.deserialize(value) for name, value in raw.items()}
