"""schemathesis against every family's committed OpenAPI document, on the local stack: no 5xx, and every
response conforms to the document."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

DOCUMENTS = sorted((ROOT / "openapi").glob("*.json"))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_no_server_error_and_responses_match_the_document(stack: LocalStack, document: Path, tmp_path: Path) -> None:
    _, token = stack.new_org_token()
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        str(document),
        "--url",
        stack.api_url,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error,response_schema_conformance,status_code_conformance",
        "--max-examples",
        "8",
        "--max-time",
        "15",
        "--seed",
        "20261123",
        "--phases",
        "examples,coverage,fuzzing",
        "--workers",
        "2",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
