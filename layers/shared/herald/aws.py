"""boto3 clients, one per container; they honour AWS_ENDPOINT_URL so the same code runs on moto."""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

import boto3
from botocore.config import Config

from herald.settings import MAX_DELIVERY_CONCURRENCY

# Services whose calls send something (an email, an SMS, a call, a push): one SDK attempt per delivery
# attempt, so a slow answer never becomes a second email. Herald's own retry rules decide instead.
SIDE_EFFECT_SERVICES = frozenset({"ses", "sesv2", "sns", "pinpoint-sms-voice-v2"})


def aws_config(service: str = "") -> Config:
    """Read when a client is built (once per container), so the local stack's environment applies."""
    read_timeout = int(os.environ.get("HERALD_AWS_READ_TIMEOUT_SECONDS", "10"))
    attempts = 1 if service in SIDE_EFFECT_SERVICES else 4
    return Config(
        retries={"mode": "standard", "max_attempts": attempts},
        connect_timeout=3,
        read_timeout=read_timeout,
        # one connection per sender thread (the default, 10, would drop and reopen connections past it)
        max_pool_connections=MAX_DELIVERY_CONCURRENCY,
    )


# boto3's default session is not thread-safe while it builds clients and resources (the delivery batch's
# threads may each ask for their first one at the same moment): they are built under this lock.
BUILDING = threading.RLock()


@functools.cache
def client(service: str) -> Any:
    with BUILDING:
        return boto3.client(service, config=aws_config(service))  # type: ignore[call-overload]
