"""Issue 15 item 15: each function's checkov skip names the bound that applies to it. checkov's CKV_AWS_115
reads only ReservedConcurrentExecutions; the delivery function is bounded by ScalingConfig.MaximumConcurrency
on every SQS event source instead, and the test holds the template to that."""

from __future__ import annotations

from typing import Any

import pytest

from herald_local.template import Template

TEMPLATE = Template()
FUNCTIONS = TEMPLATE.functions()
# the bound each kind of trigger puts on a function's concurrency, as its CKV_AWS_115 skip must name it
BOUND = {
    "HttpApi": "HttpApi stage throttling",
    "SQS": "MaximumConcurrency",
    "DynamoDB": "per shard",
    "Schedule": "once a minute",
}


def skip(function: str, check: str) -> dict[str, Any] | None:
    skips = TEMPLATE.resources[function].get("Metadata", {}).get("checkov", {}).get("skip", [])
    return next((s for s in skips if s["id"] == check), None)


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_the_concurrency_skip_names_the_bound_of_the_functions_trigger(function: str) -> None:
    kinds = {event["Type"] for event in FUNCTIONS[function].events.values()}
    assert len(kinds) == 1
    [kind] = kinds
    reserved = TEMPLATE.resources[function]["Properties"].get("ReservedConcurrentExecutions")
    justified = skip(function, "CKV_AWS_115")
    assert (reserved is not None) != (justified is not None)
    if justified is not None:
        assert BOUND[kind] in justified["comment"]
    if kind == "SQS":  # the bound the comment claims is really there, on every queue
        for event in FUNCTIONS[function].events.values():
            assert event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "DeliveryMaximumConcurrency"}


def test_the_table_skips_nothing() -> None:
    assert "Metadata" not in TEMPLATE.resources["Table"] or not TEMPLATE.resources["Table"]["Metadata"].get("checkov")
