"""What a function's start does not import (its cold start): modules that one route or one kind needs are
imported when that route or kind is first used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import sys, importlib.util; "
    "spec = importlib.util.spec_from_file_location('app', sys.argv[1]); "
    "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module); "
    "print(' '.join(sorted(name for name in sys.argv[2:] if name in sys.modules)) or '-')"
)
# Powertools' OpenAPI models (the Swagger page), Jinja2 (an org's templates), the senders of each kind.
LAZY = ("aws_lambda_powertools.event_handler.openapi.models", "jinja2", "aws_xray_sdk")
SENDERS = tuple(f"herald.senders.{kind}" for kind in ("webhook", "email", "sms", "voice", "push", "slack", "teams"))


@pytest.mark.parametrize("function", ["uptime", "events", "delivery", "fanout", "mackerel"])
def test_a_function_starts_without_the_modules_only_some_requests_need(function: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "layers" / "shared"), "AWS_DEFAULT_REGION": "us-east-1"}
    app = ROOT / "functions" / function / "app.py"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(app), *LAZY, *SENDERS],
        env=env,
        cwd=app.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "-"
