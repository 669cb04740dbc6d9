"""boto3 clients, one per container; they honour AWS_ENDPOINT_URL so the same code runs on moto."""

from __future__ import annotations

import functools
import os
from typing import Any

import boto3
from botocore.config import Config


def aws_config() -> Config:
    """Read when a client is built (once per container), so the local stack's environment applies."""
    read_timeout = int(os.environ.get("HERALD_AWS_READ_TIMEOUT_SECONDS", "10"))
    return Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=read_timeout)


@functools.cache
def client(service: str) -> Any:
    return boto3.client(service, config=aws_config())  # type: ignore[call-overload]
