"""Tracing is a deploy-time choice: off, the X-Ray SDK is never imported (its import is ~0.4 s of a cold start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import sys, herald.observability as o; "
    "traced = o.tracer.capture_lambda_handler(lambda event, context: event + 1); assert traced(1, None) == 2; "
    "print(type(o.tracer.provider).__name__, 'aws_xray_sdk.core' in sys.modules, o.tracer.disabled)"
)


# A function without TracingLayer: the X-Ray SDK cannot be imported.
WITHOUT_SDK = "import sys; sys.modules['aws_xray_sdk'] = None; "


def probe(prelude: str = "", **env: str) -> str:
    names = ("HERALD_TRACING", "POWERTOOLS_TRACE_DISABLED", "LAMBDA_TASK_ROOT", "AWS_SAM_LOCAL")
    clean = {k: v for k, v in os.environ.items() if k not in names}
    clean.update(env, PYTHONPATH=str(ROOT / "layers" / "shared"), AWS_DEFAULT_REGION="us-east-1")
    done = subprocess.run(
        [sys.executable, "-c", prelude + PROBE], env=clean, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "env",
    [
        {"HERALD_TRACING": "PassThrough", "LAMBDA_TASK_ROOT": "/var/task"},
        {"HERALD_TRACING": "Active", "LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"},
        {"HERALD_TRACING": "Active", "LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"},
        {"HERALD_TRACING": "Active"},
    ],
    ids=["pass-through", "disabled-by-powertools", "sam-local", "outside-lambda"],
)
def test_tracing_off_never_imports_the_xray_sdk(env: dict[str, str]) -> None:
    assert probe(**env) == "NoTracing False True"


def test_tracing_active_uses_the_xray_recorder() -> None:
    provider, imported, disabled = probe(HERALD_TRACING="Active", LAMBDA_TASK_ROOT="/var/task").split()
    assert (imported, disabled) == ("True", "False") and provider != "NoTracing"


def test_tracing_active_without_the_tracing_layer_runs_untraced() -> None:
    assert probe(WITHOUT_SDK, HERALD_TRACING="Active", LAMBDA_TASK_ROOT="/var/task") == "NoTracing False True"


def test_the_shared_layer_ships_no_xray_sdk_and_the_tracing_layer_does() -> None:
    shared = (ROOT / "layers/shared/requirements.txt").read_text()
    tracing = (ROOT / "layers/tracing/requirements.txt").read_text()
    assert "xray" not in shared and "[tracer]" not in shared and "botocore" not in shared
    assert "aws-xray-sdk==" in tracing


def test_a_traced_handler_runs_with_the_no_op_provider() -> None:
    from herald.observability import NoTracing, UntracedTracer

    tracer = UntracedTracer(service="t", disabled=True, auto_patch=False, provider=NoTracing())

    @tracer.capture_lambda_handler
    def handler(event: dict[str, int], context: object) -> int:
        return event["n"] + 1

    assert handler({"n": 1}, None) == 2
