"""Tenancy: every route of every family, called with a second org's all-scope key against the first org's
resources (the ones the files in events/ name), refuses: 404 in the family's shape for another org's ids
(InfluxDB's `orgID` of another org included), and no other response shows the first org's data."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from herald import ids
from herald.auth.api_keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs
from tests.integration.test_sample_events import EXPECTED_STATUS, invoke
from tests.support.receiver import Receiver
from tests.support.sample_records import EVENTS, SAMPLE_ORG, SAMPLE_TOKEN, load, seed_all

API_FOLDERS = (
    "uptime",
    "events",
    "mackerel",
    "oncall",
    "grafana",
    "influxdb",
)


def as_other_org(event: dict[str, Any], token: str) -> dict[str, Any]:
    foreign = copy.deepcopy(event)
    foreign["headers"] = {k: v.replace(SAMPLE_TOKEN, token) for k, v in (event.get("headers") or {}).items()}
    return foreign


def names_first_org(event: dict[str, Any]) -> bool:
    """The request names the first org's resources: an id in its path, or the org itself in its query."""
    return bool(event.get("pathParameters")) or SAMPLE_ORG in str(event.get("rawQueryString") or "")


def test_every_route_refuses_another_orgs_key(
    aws_env: Any, receiver: Receiver, record_property: Callable[[str, Any], None]
) -> None:
    seed_all(receiver.url())
    other_org = ids.org_id()
    orgs.ensure(other_org)
    other_token = create_key(other_org, list(ALL_SCOPES))
    samples = sorted(
        [p for folder in API_FOLDERS for p in (EVENTS / folder).glob("*.json")],
        key=lambda p: p.stem.startswith("delete-"),
    )
    first_org_ids = {SAMPLE_ORG} | {
        str(v) for p in samples for v in (load(p).get("pathParameters") or {}).values() if len(str(v)) >= 8
    }

    refused, checked = [], []
    # First every call naming the first org's resources, before the second org has created anything of its own
    # (Grafana's ids are small integers per org, so a later call could find the second org's own id 1).
    for path in [p for p in samples if names_first_org(load(p))]:
        event = load(path)
        answer = invoke(path.parent.name, as_other_org(event, other_token))
        assert int(answer["statusCode"]) == 404, (path.name, answer["statusCode"], answer.get("body"))
        refused.append(path.name)
        # The first org still has what the foreign call named, untouched.
        own = invoke(path.parent.name, event)
        assert own["statusCode"] == EXPECTED_STATUS[path.stem], (path.name, own.get("body"))
    # Then the rest (lists, creates, lookups): the second org sees only its own.
    for path in [p for p in samples if not names_first_org(load(p))]:
        event = load(path)
        answer = invoke(path.parent.name, as_other_org(event, other_token))
        status, body = int(answer["statusCode"]), str(answer.get("body") or "")
        assert status < 500, (path.name, status, body)
        leaked = sorted(i for i in first_org_ids if i in body and i not in json.dumps(event.get("body") or ""))
        assert leaked == [], (path.name, leaked)
        checked.append(path.name)

    assert len(refused) >= 30
    record_property(
        "security",
        f"isolation: {len(samples)} routes × a foreign key: {len(refused)} naming the first org's ids refused "
        f"with 404, {len(checked)} others showed none of its data",
    )
