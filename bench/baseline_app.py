"""The cold-start baseline: a bare Powertools HTTP API resolver creating one boto3 DynamoDB client.

No shared layer, no auth, no models: what any Python Lambda behind an HTTP API pays at minimum. It
makes no AWS call, so the ratio against it is a strict one.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

app = APIGatewayHttpResolver()
dynamodb = boto3.client("dynamodb")


@app.get("/v1/ping")
def ping() -> dict[str, bool]:
    return {"ok": True}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
