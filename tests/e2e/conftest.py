"""One local stack (`python -m herald_local`, as `make run` starts it) shared by every end-to-end test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from herald import ids

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class HttpAnswer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LocalStack:
    api_url: str
    aws_url: str
    dev_token: str
    dev_org: str
    log: Path

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "AWS_ENDPOINT_URL": self.aws_url,
            "HERALD_TABLE": "herald-Table",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def new_org_token(self, *scopes: str) -> tuple[str, str]:
        """A fresh org and a key for it, made with the `herald` CLI against the stack."""
        org = ids.org_id()
        args = [sys.executable, "-m", "herald.cli", "keys", "create", "--org", org]
        for scope in scopes or ("all",):
            args += ["--scope", scope]
        out = subprocess.run(args, env=self.env(), capture_output=True, text=True, timeout=60, check=True)
        return org, out.stdout.strip()

    def call(self, method: str, path: str, token: str | None, body: Any = None, timeout: float = 30.0) -> HttpAnswer:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return HttpAnswer(response.status, response.read(), dict(response.headers.items()))
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, error.read(), dict(error.headers.items()))

    def aws(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.aws_url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def wait_for(self, check: Any, timeout: float = 30.0, every: float = 0.1) -> Any:
        deadline = time.time() + timeout
        while True:
            value = check()
            if value or time.time() > deadline:
                return value
            time.sleep(every)


@contextmanager
def local_stack(directory: Path, **overrides: str) -> Iterator[LocalStack]:
    """A local stack (`python -m herald_local`) with the e2e settings plus `overrides` in its environment."""
    api_port, aws_port = free_port(), free_port()
    token = "hrld_e2e-dev-token-0123456789"
    org = ids.org_id()
    log = directory / "stack.log"
    env = {
        **os.environ,
        "HERALD_PORT": str(api_port),
        "HERALD_AWS_PORT": str(aws_port),
        "HERALD_DEV_TOKEN": token,
        "HERALD_DEV_ORG": org,
        "HERALD_SCHEDULE_SECONDS": "1",
        "HERALD_RETRY_BASE_SECONDS": "1",
        "HERALD_MAX_ATTEMPTS": "4",
        # One dev key drives every e2e suite (schemathesis included) through one shared request budget.
        "HERALD_RATE_LIMIT_PER_SECOND": "1000",
        "HERALD_RATE_LIMIT_BURST": "5000",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("AWS_ENDPOINT_URL", "TABLE_NAME", "HERALD_KMS_KEY_ID", "HERALD_ALLOW_PRIVATE_TARGETS"):
        env.pop(name, None)
    env = {k: v for k, v in env.items() if not k.startswith("QUEUE_URL_")}
    env.update(overrides)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "herald_local"], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
    local = LocalStack(f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{aws_port}", token, org, log)
    deadline = time.time() + 60
    while "Herald local stack is up" not in log.read_text():
        if process.poll() is not None or time.time() > deadline:
            process.kill()
            raise RuntimeError("local stack did not start:\n" + log.read_text())
        time.sleep(0.1)
    try:
        yield local
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # a short retry horizon, so that a receiver that never recovers ends failed within a test's time
    with local_stack(tmp_path_factory.mktemp("stack"), HERALD_RETRY_HORIZON_SECONDS="30") as local:
        yield local
