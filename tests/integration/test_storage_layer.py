"""The storage layer's helpers on moto: put_unique names the guard that failed and writes nothing then,
optimistic() retries a lost race, ClientError never leaves the table, and caches.reset() forgets what a
container kept."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from boto3.dynamodb.conditions import ConditionExpressionBuilder, Key

from herald import caches
from herald.data import orgs, table_keys
from herald.data import table as table_module
from herald.data.concurrency import WriteConflict, optimistic, versioned_put
from herald.data.table import ConditionFailed, StorageFailed, table, written
from herald.data.unique import RECORD, GuardFailed, below, exists, put_unique, unique
from herald.errors import Conflict, ServiceUnavailable
from herald_local.template import Resolver
from tests.conftest import reset_caches

ORG = "org_storage"


def _item(item_id: str) -> dict[str, Any]:
    return {**table_keys.alert(ORG, item_id), "type": "alert", "orgId": ORG, "id": item_id}


def _stored(item_id: str) -> bool:
    return "Item" in table().get_item(Key=table_keys.alert(ORG, item_id), ConsistentRead=True)


def _name_guard(name: str, owner: str) -> Any:
    return unique("name", table_keys.endpoint_name(ORG, name), type="endpoint-name", owner=owner)


def test_put_unique_names_the_guard_that_failed_and_writes_nothing(aws_env: Resolver) -> None:
    put_unique(_item("a1"), [_name_guard("disk", "a1"), below("limit", table_keys.alert_counter(ORG), 2)])

    with pytest.raises(GuardFailed) as taken:
        put_unique(_item("a2"), [_name_guard("disk", "a2"), below("limit", table_keys.alert_counter(ORG), 2)])
    put_unique(_item("a3"), [_name_guard("cpu", "a3"), below("limit", table_keys.alert_counter(ORG), 2)])
    with pytest.raises(GuardFailed) as full:
        put_unique(_item("a4"), [_name_guard("mem", "a4"), below("limit", table_keys.alert_counter(ORG), 2)])
    with pytest.raises(GuardFailed) as missing:
        put_unique(_item("a5"), [exists("parent", table_keys.alert(ORG, "nowhere"))])
    with pytest.raises(GuardFailed) as again:
        put_unique(_item("a1"), [])

    assert (taken.value.guard, full.value.guard, missing.value.guard, again.value.guard) == (
        "name",
        "limit",
        "parent",
        RECORD,
    )
    assert [_stored(i) for i in ("a1", "a2", "a3", "a4", "a5")] == [True, False, True, False, False]
    counter = table().get_item(Key=table_keys.alert_counter(ORG), ConsistentRead=True)["Item"]
    assert counter["count"] == 2
    assert table().get_item(Key=table_keys.endpoint_name(ORG, "mem")).get("Item") is None


def test_optimistic_reads_again_after_a_lost_race_and_gives_up_with_the_callers_error(aws_env: Resolver) -> None:
    table().put_item(Item=versioned_put(_item("v1"), 0)["Item"])
    stale = 1

    def bump() -> int:
        nonlocal stale
        read = int(table().get_item(Key=table_keys.alert(ORG, "v1"), ConsistentRead=True)["Item"]["version"])
        version, stale = stale, read  # the first attempt writes over a version read before a rival's write
        if not written(table().put_item, **versioned_put(_item("v1"), version)):
            raise WriteConflict()
        return version + 1

    table().put_item(Item=versioned_put(_item("v1"), 1)["Item"])  # a rival moved it to version 2

    assert optimistic(bump, Conflict("gave up"), attempts=3, backoff=lambda _: 0.0) == 3

    attempts: list[int] = []

    def always_lost() -> None:
        attempts.append(1)
        raise WriteConflict()

    with pytest.raises(Conflict, match="gave up"):
        optimistic(always_lost, Conflict("gave up"), attempts=4, backoff=lambda _: 0.0)
    assert len(attempts) == 4


@pytest.fixture
def throttled(aws_env: Resolver) -> Iterator[list[str]]:
    """The table's client answers every GetItem as DynamoDB does when it throttles."""
    from botocore.exceptions import ClientError

    seen: list[str] = []

    def throttle(**_kwargs: Any) -> None:
        seen.append("GetItem")
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "GetItem")

    table_module.client()  # built (and cached) before the hook goes on its events
    events = table_module._table(aws_env.environment()["TABLE_NAME"]).meta.client.meta.events
    events.register("before-call.dynamodb.GetItem", throttle)
    yield seen
    events.unregister("before-call.dynamodb.GetItem", throttle)
    reset_caches()


def test_a_throttle_leaves_the_storage_layer_as_service_unavailable(throttled: list[str]) -> None:
    with pytest.raises(ServiceUnavailable):
        orgs.get(ORG)
    assert throttled


def test_a_failed_condition_carries_the_item_it_found(aws_env: Resolver) -> None:
    table().put_item(Item={**_item("c1"), "name": "first"})

    with pytest.raises(ConditionFailed) as failed:
        table().put_item(
            Item=_item("c1"),
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    assert failed.value.item is not None and failed.value.item["name"] == "first"


def test_any_other_refusal_is_a_storage_failure(aws_env: Resolver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "no-such-table")
    caches.reset(clients=False)

    with pytest.raises(StorageFailed, match="ResourceNotFoundException"):
        orgs.get(ORG)


def test_reset_forgets_what_a_container_kept(aws_env: Resolver) -> None:
    orgs.ensure(ORG, "Before")
    assert orgs.display_name(ORG) == "Before"
    table().update_item(
        Key=table_keys.org(ORG),
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": "After"},
    )
    assert orgs.display_name(ORG) == "Before"  # kept per container

    caches.reset()

    assert orgs.display_name(ORG) == "After"


def test_a_query_keeps_its_placeholders_while_another_thread_queries(
    aws_env: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two orgs with an alert each
    for org_id in ("org_first", "org_second"):
        table().put_item(Item={**table_keys.alert(org_id, "a"), "type": "alert", "orgId": org_id, "id": "a"})

    # And two threads that interleave the way a delivery batch's senders can on a busy container: the first
    # stops after naming its first key attribute, the second starts its query (boto3 resets its expression
    # builder), and the first goes on naming its other attribute while the second waits
    first_named, second_reset, first_done = threading.Event(), threading.Event(), threading.Event()
    names_asked: list[ConditionExpressionBuilder] = []
    name_placeholder, reset = ConditionExpressionBuilder._get_name_placeholder, ConditionExpressionBuilder.reset

    def naming(builder: ConditionExpressionBuilder) -> str:
        if threading.current_thread().name == "first":
            names_asked.append(builder)
            if len(names_asked) == 2:  # pk is named, sk is next
                first_named.set()
                second_reset.wait(10)
        return name_placeholder(builder)  # type: ignore[no-any-return]

    def resetting(builder: ConditionExpressionBuilder) -> None:
        reset(builder)
        if threading.current_thread().name == "second" and not second_reset.is_set():
            second_reset.set()
            first_done.wait(10)

    monkeypatch.setattr(ConditionExpressionBuilder, "_get_name_placeholder", naming)
    monkeypatch.setattr(ConditionExpressionBuilder, "reset", resetting)
    answers: dict[str, Any] = {}

    def alerts_of(org_id: str) -> None:
        try:
            items = table_module.query_all(
                KeyConditionExpression=Key("pk").eq(f"ORG#{org_id}") & Key("sk").begins_with("ALERT#")
            )
            answers[org_id] = [str(item["orgId"]) for item in items]
        except StorageFailed as failed:
            answers[org_id] = str(failed)
        finally:
            if threading.current_thread().name == "first":
                first_done.set()

    # When both query at once
    first = threading.Thread(target=alerts_of, args=("org_first",), name="first")
    second = threading.Thread(target=alerts_of, args=("org_second",), name="second")
    first.start()
    assert first_named.wait(10)
    second.start()
    first.join(20)
    second.join(20)

    # Then each got its own org's alert, and neither request failed
    assert answers == {"org_first": ["org_first"], "org_second": ["org_second"]}
