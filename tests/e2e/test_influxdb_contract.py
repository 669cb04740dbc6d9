"""schemathesis against InfluxDB's own published contract (tests/contracts/influxdb-oss.json), for the
operations Herald implements, on the local stack: no 5xx, and every status and body as the contract
documents it, through examples, coverage, fuzzing and stateful sequences (create, attach, patch, delete).

The contract is used as published except for its own ambiguities, each named in AMBIGUITIES with what
InfluxDB itself answers; the test applies them to a copy and fails if one no longer applies (so a stale
exception cannot hide a regression)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CONTRACT = ROOT / "tests" / "contracts" / "influxdb-oss.json"
IMPLEMENTED: dict[str, set[str]] = {
    "/notificationEndpoints": {"get", "post"},
    "/notificationEndpoints/{endpointID}": {"get", "put", "patch", "delete"},
    "/notificationEndpoints/{endpointID}/labels": {"get", "post"},
    "/notificationEndpoints/{endpointID}/labels/{labelID}": {"delete"},
    "/labels": {"get", "post"},
    "/labels/{labelID}": {"get", "patch", "delete"},
    "/orgs": {"get"},
    "/orgs/{orgID}": {"get"},
}
Contract = dict[str, Any]


def relative_links(contract: Contract) -> bool:
    """`Link` is `format: uri`, yet InfluxDB answers relative links (`"self": "/api/v2/labels"`)."""
    link = contract["components"]["schemas"]["Link"]
    return bool(link.pop("format", None) == "uri")


def endpoint_types_by_discriminator(contract: Contract) -> bool:
    """`NotificationEndpointDiscriminator` is a `oneOf` whose members are not exclusive: the Slack member
    requires nothing of its own, so every endpoint InfluxDB answers is valid as Slack and as its own type,
    and fails `oneOf`. Its `discriminator` (`type`) is what decides; the copy makes each member say so."""
    schema = contract["components"]["schemas"]["NotificationEndpointDiscriminator"]
    mapping = schema["discriminator"]["mapping"]
    members = [member["$ref"] for member in schema["oneOf"]]
    schema["oneOf"] = [
        {"allOf": [{"$ref": ref}, {"properties": {"type": {"enum": [kind]}}}]} for kind, ref in mapping.items()
    ]
    return sorted(members) == sorted(mapping.values())


AMBIGUITIES: list[Callable[[Contract], bool]] = [relative_links, endpoint_types_by_discriminator]


def herald_contract() -> Contract:
    published: Contract = json.loads(CONTRACT.read_text())
    contract = copy.deepcopy(published)
    contract["paths"] = {
        path: {m: op for m, op in published["paths"][path].items() if m in methods or m == "parameters"}
        for path, methods in IMPLEMENTED.items()
    }
    for ambiguity in AMBIGUITIES:
        assert ambiguity(contract), f"{ambiguity.__name__} no longer applies to the contract"
    return contract


def test_the_committed_contract_is_influxdatas() -> None:
    contract = json.loads(CONTRACT.read_text())
    assert contract["info"]["title"] == "InfluxDB OSS API Service"
    assert all(path in contract["paths"] for path in IMPLEMENTED)


def test_no_server_error_and_answers_match_influxdbs_contract(stack: LocalStack, tmp_path: Path) -> None:
    document = tmp_path / "influxdb-herald.json"
    document.write_text(json.dumps(herald_contract()))
    _, token = stack.new_org_token()
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        str(document),
        "--url",
        f"{stack.api_url}/api/v2",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        "not_a_server_error,response_schema_conformance,status_code_conformance",
        "--max-examples",
        "8",
        "--max-time",
        "40",
        "--seed",
        "20261129",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--workers",
        "2",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
