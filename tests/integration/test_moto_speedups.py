"""The local stack's patches to moto (herald_local.moto_speedups) change its cost, not its answers: the same
requests get the same answers with and without them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from moto import mock_aws

from herald_local import moto_speedups

COUNTS = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]


@pytest.fixture(autouse=True)
def patched_again() -> Iterator[None]:
    yield
    moto_speedups.apply()  # as the rest of the suite expects


def queue_answers() -> list[Any]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="counts")["QueueUrl"]
        for n in range(5):
            sqs.send_message(QueueUrl=url, MessageBody=f"m{n}")
        sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=COUNTS)["Attributes"]
        rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        expiring = sqs.create_queue(QueueName="expiring", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        sqs.send_message(QueueUrl=expiring, MessageBody="old")
        return [
            sorted(m["Body"] for m in received),
            counts,
            sorted(m["Body"] for m in rest),
            len(sqs.receive_message(QueueUrl=expiring).get("Messages", [])),
        ]


def table_answers() -> list[Any]:
    with mock_aws():
        dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
        table = dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gpk", "gsk")],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "gsi",
                    "KeySchema": [
                        {"AttributeName": "gpk", "KeyType": "HASH"},
                        {"AttributeName": "gsk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for p in range(3):
            for s in range(12):
                table.put_item(Item={"pk": f"P{p}", "sk": f"S{s:02d}", "gpk": f"G{s % 2}", "gsk": f"{p}{s:02d}"})
        return [
            table.query(KeyConditionExpression=Key("pk").eq("P1"))["Items"],
            table.query(
                KeyConditionExpression=Key("pk").eq("P2") & Key("sk").between("S03", "S07"), ScanIndexForward=False
            )["Items"],
            table.query(
                KeyConditionExpression=Key("pk").eq("P0"), Limit=5, ExclusiveStartKey={"pk": "P0", "sk": "S04"}
            )["Items"],
            table.query(KeyConditionExpression=Key("pk").eq("nowhere"))["Items"],
            table.query(IndexName="gsi", KeyConditionExpression=Key("gpk").eq("G1") & Key("gsk").begins_with("2"))[
                "Items"
            ],
            len(table.scan()["Items"]),
        ]


@pytest.mark.parametrize("answers", [queue_answers, table_answers])
def test_patched_moto_answers_as_moto_does(answers: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    moto_speedups.apply()
    patched = answers()
    moto_speedups.restore()
    assert patched == answers()
    assert patched[0]  # the scenario returned something to compare
