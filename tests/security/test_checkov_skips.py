"""checkov's skips live in .checkov.yaml alone, each with a reason for every kind of resource it covers. For
CKV_AWS_115 (issue 15 item 15) the reason names the bound of each function's trigger: checkov reads only
ReservedConcurrentExecutions, and the delivery function is bounded by ScalingConfig.MaximumConcurrency on every
SQS event source instead, which the test holds the template to."""

from __future__ import annotations

import pytest

from herald_local.template import Template
from tests.support.checkov_config import skips

TEMPLATE = Template()
FUNCTIONS = TEMPLATE.functions()
SKIPS = skips()
FUNCTION_CHECKS = ("CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173")
# the bound each kind of trigger puts on a function's concurrency, as the CKV_AWS_115 reason must name it
BOUND = {
    "HttpApi": "HttpApi stage throttling",
    "SQS": "MaximumConcurrency",
    "DynamoDB": "per shard",
    "Schedule": "once a minute",
}


def triggers(function: str) -> set[str]:
    return {str(event["Type"]) for event in FUNCTIONS[function].events.values()}


def test_every_skip_has_a_reason_and_none_is_left_in_the_template() -> None:
    assert SKIPS
    for skip in SKIPS.values():
        assert skip.reasons, f"{skip.id} has no reason"
        assert all(len(reason) >= 20 for reason in skip.reasons.values()), skip.id
    inline = [name for name, res in TEMPLATE.resources.items() if res.get("Metadata", {}).get("checkov")]
    assert inline == []


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_the_function_skips_give_a_reason_for_the_functions_trigger(function: str) -> None:
    for kind in triggers(function):
        for check in FUNCTION_CHECKS:
            reasons = SKIPS[check].reasons
            assert kind in reasons or "Function" in reasons, f"{check} gives no reason for a {kind} function"
        assert BOUND[kind] in SKIPS["CKV_AWS_115"].reasons[kind]
    # a global skip of CKV_AWS_115 is only right while no function reserves concurrency of its own
    assert "ReservedConcurrentExecutions" not in TEMPLATE.resources[function]["Properties"]
    for event in FUNCTIONS[function].events.values():  # the bound the SQS reason claims is really there
        if event["Type"] == "SQS":
            assert event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == {"Ref": "DeliveryMaximumConcurrency"}


def test_the_log_group_skip_covers_log_groups_only_and_says_why() -> None:
    assert TEMPLATE.of_type("AWS::Logs::LogGroup")
    assert "redacted" in SKIPS["CKV_AWS_158"].reasons["LogGroup"]


def test_the_table_is_not_covered_by_any_skip() -> None:
    # table checks (encryption, point-in-time recovery, deletion protection) are never skipped
    table_checks = {"CKV_AWS_28", "CKV_AWS_119", "CKV_AWS_165"}
    assert not table_checks & set(SKIPS)
