"""The delivery pipeline in-process, for the integration tests: the API plus the fan-out and delivery functions on
one moto account per module, each test with its own org, table and webhook queue, and a loopback receiver.

A test module uses the fixtures by naming them (the receiver is emptied for each test):

    account, atomic_moto, pipe = pipeline.account, pipeline.atomic_moto, pipeline.pipe
    receiver, shared_receiver = pipeline.receiver, pipeline.shared_receiver
"""

from __future__ import annotations

import functools
import json
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer
from moto import mock_aws

from herald import aws, ids, settings
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs, table_keys
from herald.data.table import table
from herald_local.functions import LambdaContext, load_instance
from herald_local.template import Resolver, Template, provision
from tests.conftest import reset_caches, sqs_messages
from tests.support import receiver as loopback
from tests.support.apigw import ApiClient
from tests.support.module_env import set_function_environment
from tests.support.tables import create_table_like_template

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

_serializer = TypeSerializer()
_sequence = iter(range(10**20, 10**21))


@dataclass
class Pipeline:
    """The API plus the fan-out and delivery functions, each a fresh container, on one moto account."""

    api: ApiClient
    token: str
    resolver: Resolver
    fanout_handler: Callable[[dict[str, Any], Any], Any]
    delivery_handler: Callable[[dict[str, Any], Any], Any]
    queue_arn: str = ""
    dead_letter_url: str = ""
    stream_arn: str = ""
    sqs: Any = field(default_factory=lambda: boto3.client("sqs", region_name="us-east-1"))

    # --- the API -------------------------------------------------------------------------------

    def create_alert(self, url: str, **fields: Any) -> str:
        body = {"name": f"hook {uuid.uuid4().hex[:6]}", "strategy": "webhook", "url": url, **fields}
        answer = self.api.post("/v1/alerts", body, token=self.token)
        assert answer.status == 201, answer.text
        return str(answer.json()["id"])

    def post_event(self, **fields: Any) -> str:
        answer = self.api.post(
            "/v1/events", {"status": "triggered", "title": "checkout is down", **fields}, token=self.token
        )
        assert answer.status == 202, answer.text
        return str(answer.json()["id"])

    def event(self, event_id: str) -> dict[str, Any]:
        answer = self.api.get(f"/v1/events/{event_id}", token=self.token)
        assert answer.status == 200, answer.text
        return dict(answer.json())

    def deliveries(self, event_id: str) -> list[dict[str, Any]]:
        return list(self.event(event_id)["deliveries"])

    def history(self, alert_id: str) -> list[dict[str, Any]]:
        answer = self.api.get(f"/v1/alerts/{alert_id}/events", token=self.token)
        assert answer.status == 200, answer.text
        return list(answer.json()["events"])

    # --- the stream ----------------------------------------------------------------------------

    def stream_record(self, event_id: str, event_name: str = "INSERT") -> dict[str, Any]:
        """The stream record DynamoDB emits for the stored event item (NEW_AND_OLD_IMAGES)."""
        item = table().get_item(Key=table_keys.event(event_id), ConsistentRead=True)["Item"]
        image = {name: _serializer.serialize(value) for name, value in item.items()}
        return {
            "eventID": uuid.uuid4().hex,
            "eventName": event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": time.time(),
                "Keys": {"pk": image["pk"], "sk": image["sk"]},
                "NewImage": image,
                "SequenceNumber": str(next(_sequence)),
                "SizeBytes": len(json.dumps(image)),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
            "eventSourceARN": self.stream_arn,
        }

    def fan_out(self, *records: dict[str, Any]) -> list[str]:
        """Invokes the fan-out function with one stream batch; returns the failed sequence numbers."""
        result = self.fanout_handler({"Records": list(records)}, LambdaContext(self.api.specs["FanoutFunction"]))
        return [failure["itemIdentifier"] for failure in result["batchItemFailures"]]

    def fan_out_events(self, *event_ids: str) -> None:
        assert self.fan_out(*(self.stream_record(e) for e in event_ids)) == []

    # --- the webhook queue ---------------------------------------------------------------------

    @property
    def queue_url(self) -> str:
        return settings.get_settings().queue_url("webhook")

    def receive(self, max_messages: int = 10) -> list[dict[str, Any]]:
        return sqs_messages(self.queue_url, max_messages)

    def sqs_event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": {
                        "ApproximateReceiveCount": m["Attributes"]["ApproximateReceiveCount"],
                        "SentTimestamp": m["Attributes"]["SentTimestamp"],
                        "SenderId": m["Attributes"]["SenderId"],
                        "ApproximateFirstReceiveTimestamp": m["Attributes"]["ApproximateFirstReceiveTimestamp"],
                    },
                    "messageAttributes": {},
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn,
                    "awsRegion": "us-east-1",
                }
                for m in messages
            ]
        }

    def deliver(self, messages: list[dict[str, Any]]) -> list[str]:
        """Invokes the delivery function like Lambda's SQS poller: the messages not reported as failed are
        deleted; returns the failed message ids."""
        result = self.delivery_handler(self.sqs_event(messages), LambdaContext(self.api.specs["DeliveryFunction"]))
        failed = [failure["itemIdentifier"] for failure in result["batchItemFailures"]]
        for m in messages:
            if m["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
        return failed

    def deliver_all(self) -> list[str]:
        messages = self.receive(100)
        return self.deliver(messages) if messages else []

    def drain(self, rounds: int = 5) -> None:
        """Delivers until the queue is empty, each retry's wait skipped."""
        for _ in range(rounds):
            messages = self.receive(100)
            if not messages:
                return
            failed = self.deliver(messages)
            for m in messages:
                if m["MessageId"] in failed:
                    self.make_visible(m)
        raise AssertionError("the queue did not drain")

    def run(self, *event_ids: str) -> None:
        """Fan-out then delivery, all succeeding."""
        self.fan_out_events(*event_ids)
        assert self.deliver_all() == []

    def make_visible(self, message: dict[str, Any]) -> None:
        """The retry wait has passed (instead of sleeping through it)."""
        self.sqs.change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )


@pytest.fixture(autouse=True)
def atomic_moto(atomic_moto: None) -> None:
    """The conftest's atomic moto (each AWS request atomic, as DynamoDB makes each conditional write), for every
    test of a module that names this fixture: the pipeline's races would prove nothing without it."""


# one loopback receiver per module, emptied for each test
receiver, shared_receiver = loopback.module_receiver, loopback.shared_receiver


@dataclass
class Account:
    """One moto account with the template's resources, shared by the module (provisioning costs seconds)."""

    template: Template
    resolver: Resolver
    api: ApiClient
    fanout_handler: Callable[[dict[str, Any], Any], Any]
    delivery_handler: Callable[[dict[str, Any], Any], Any]


@pytest.fixture(scope="module")
def account() -> Iterator[Account]:
    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        template = Template()
        resolver = provision(template, functools.partial(boto3.client, region_name="us-east-1"))
        set_function_environment(patch, resolver)
        reset_caches()
        api = ApiClient(template)
        yield Account(
            template=template,
            resolver=resolver,
            api=api,
            fanout_handler=load_instance(api.specs["FanoutFunction"]),
            delivery_handler=load_instance(api.specs["DeliveryFunction"]),
        )
    reset_caches()


def fresh_webhook_queue(sqs: Any, resolver: Resolver, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A new webhook queue and dead-letter queue set up like the template's (SQS allows one purge a minute,
    so each test gets its own pair); returns the queue's ARN and the dead-letter queue's URL."""
    tag = uuid.uuid4().hex[:12]
    like = sqs.get_queue_attributes(QueueUrl=resolver.refs["WebhookQueue"], AttributeNames=["All"])["Attributes"]
    dead_letter_url = sqs.create_queue(QueueName=f"herald-WebhookDeadLetterQueue-{tag}")["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])["Attributes"]
    redrive = {**json.loads(like["RedrivePolicy"]), "deadLetterTargetArn": dead_letter_arn["QueueArn"]}
    url = sqs.create_queue(
        QueueName=f"herald-WebhookQueue-{tag}",
        Attributes={"VisibilityTimeout": like["VisibilityTimeout"], "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    monkeypatch.setenv("QUEUE_URL_WEBHOOK", url)
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ], dead_letter_url


@pytest.fixture
def pipe(account: Account, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    """A fresh org with an all-scope key on the shared account, with its own table and empty queues, and new
    clients and caches."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    queue_arn, dead_letter_url = fresh_webhook_queue(sqs, account.resolver, monkeypatch)
    table_name = f"herald-Table-{uuid.uuid4().hex[:12]}"
    stream_arn = create_table_like_template(account.template, dynamodb, table_name)
    monkeypatch.setenv("TABLE_NAME", table_name)
    reset_caches()
    org = ids.org_id()
    orgs.ensure(org)
    yield Pipeline(
        api=account.api,
        token=create_key(org, list(ALL_SCOPES)),
        resolver=account.resolver,
        fanout_handler=account.fanout_handler,
        delivery_handler=account.delivery_handler,
        queue_arn=queue_arn,
        dead_letter_url=dead_letter_url,
        stream_arn=stream_arn,
        sqs=sqs,
    )
    dynamodb.delete_table(TableName=table_name)
    reset_caches()


def count_calls(operation: str) -> list[dict[str, Any]]:
    """Every call Herald's SQS client makes to `operation`, with its parameters."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    aws.client("sqs").meta.events.register(f"provide-client-params.sqs.{operation}", record)
    return calls


def closed_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def bodies(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(m["Body"]) for m in messages]
