"""Logger, Tracer and Metrics: created once here and imported everywhere. Log lines are redacted.

X-Ray tracing is a deploy-time choice (template parameter `Tracing`, seen here as HERALD_TRACING). When
it is off, the Tracer gets a provider that records nothing, so the X-Ray SDK is never imported: its
import builds a recorder and two botocore clients, about 0.4 s of every cold start. The SDK is not in
the shared layer either: it ships in TracingLayer, attached only when tracing is Active, and a function
that finds no SDK runs untraced rather than failing.
"""

from __future__ import annotations

import importlib.util
import numbers
import os
from collections.abc import AsyncGenerator, Generator, Sequence
from contextlib import asynccontextmanager, contextmanager
from logging import LogRecord
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

from herald.redaction import redact


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: LogRecord) -> str:  # type: ignore[override]
        return redact(super().serialize(log))  # type: ignore[arg-type]


class _NoSegment(BaseSegment):
    def close(self, end_time: int | None = None) -> None:
        pass

    def add_subsegment(self, subsegment: Any) -> None:
        pass

    def remove_subsegment(self, subsegment: Any) -> None:
        pass

    def put_annotation(self, key: str, value: str | numbers.Number | bool) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(self, exception: BaseException, stack: Any, remote: bool = False) -> None:
        pass


class NoTracing(BaseProvider):
    """The Tracer's provider when tracing is off: every segment is a no-op."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Generator[BaseSegment, None, None]:
        yield _NoSegment()

    @asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncGenerator[BaseSegment, None]:
        yield _NoSegment()

    def put_annotation(self, key: str, value: str | numbers.Number | bool) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def patch(self, modules: Sequence[str]) -> None:
        pass

    def patch_all(self) -> None:
        pass


class UntracedTracer(Tracer):
    """Powertools' Tracer with nothing to switch off: its own disabling imports the X-Ray SDK, which
    a function without TracingLayer does not have."""

    @staticmethod
    def _disable_tracer_provider() -> None:
        pass


def tracing_enabled() -> bool:
    """Active in the template, in Lambda (not `sam local`, whose emulator has no X-Ray daemon, as Powertools
    decides too) and not switched off with POWERTOOLS_TRACE_DISABLED."""
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true")
    in_lambda = bool(os.environ.get("LAMBDA_TASK_ROOT")) and not os.environ.get("AWS_SAM_LOCAL")
    return os.environ.get("HERALD_TRACING", "Active") == "Active" and in_lambda and not disabled


def xray_sdk_installed() -> bool:
    try:
        return importlib.util.find_spec("aws_xray_sdk") is not None
    except (ImportError, ValueError):
        return False


def _tracer() -> Tracer:
    if tracing_enabled():
        if xray_sdk_installed():
            return Tracer(service="herald")
        logger.warning("tracing is Active but the X-Ray SDK is not installed (TracingLayer): running untraced")
    return UntracedTracer(service="herald", disabled=True, auto_patch=False, provider=NoTracing())


logger = Logger(service="herald", logger_formatter=RedactingFormatter())
tracer = _tracer()
metrics = Metrics(namespace="Herald", service="herald")
