"""Fan-out: DynamoDB stream INSERTs of events → delivery plans → SQS, with partial batch failures; and the
paged fan-out jobs (SQS) that carry on a fan-out larger than one invocation can do."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from herald.domain.fanout import fan_out, fan_out_pages
from herald.observability import logger, metrics, tracer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Not BatchProcessor: the SQS sends are batched across all records of the stream batch.
    remaining = context.get_remaining_time_in_millis
    if any(record.get("eventSource") == "aws:sqs" for record in event.get("Records", [])):
        pages = [(str(record["messageId"]), str(record["body"])) for record in event["Records"]]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in fan_out_pages(pages, remaining)]}
    stream = DynamoDBStreamEvent(event)
    records = [
        (str(record.dynamodb.sequence_number), record.dynamodb.new_image)
        for record in stream.records
        if record.event_name
        and record.event_name.name == "INSERT"
        and record.dynamodb
        and record.dynamodb.new_image.get("type") == "event"
    ]
    failed = fan_out(records, remaining)
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
