"""Issue 19: each function gets only the environment variables and queue grants its code uses.

What a function's code reads comes from its source (tests/support/code_needs.py: the settings fields, names
and Powertools imports of the modules its app.py imports); the template's variables for it are its own plus the
Globals'. A variable nobody reads fails the first test; a variable the code reads that the template sets for
some other function only fails the second, so a function never starts without what it needs."""

from __future__ import annotations

from typing import Any

import pytest

from herald.delivery.contract import CHANNELS
from herald_local.template import Template
from tests.support import code_needs

TEMPLATE = Template()
FUNCTIONS = TEMPLATE.functions()
QUEUE_VARIABLES = frozenset(channel.queue_env for channel in CHANNELS.values())
SET_ANYWHERE = {name for spec in FUNCTIONS.values() for name in spec.environment}


def reads(function: str) -> set[str]:
    return code_needs.environment_reads(FUNCTIONS[function].app_path, QUEUE_VARIABLES)


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_a_function_gets_no_variable_its_code_never_reads(function: str) -> None:
    unread = set(FUNCTIONS[function].environment) - reads(function)
    assert unread == set()


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_a_function_gets_every_variable_its_code_reads(function: str) -> None:
    missing = (reads(function) & SET_ANYWHERE) - set(FUNCTIONS[function].environment)
    assert missing == set()


def test_the_reader_finds_variables_through_settings_and_queue_urls() -> None:
    # the API functions that only configure destinations have neither a queue nor the retry settings
    assert not reads("AlertsFunction") & (QUEUE_VARIABLES | {"HERALD_MAX_ATTEMPTS"})
    assert {"HERALD_MAX_ATTEMPTS", "HERALD_KMS_KEY_ID", "TABLE_NAME"} | QUEUE_VARIABLES <= reads("DeliveryFunction")
    assert "HERALD_TRACING" in reads("AlertsFunction")
    assert code_needs.settings_variables()["allow_private_targets"] == "HERALD_ALLOW_PRIVATE_TARGETS"


def send_grants(function: str) -> list[Any]:
    return [
        policy["SQSSendMessagePolicy"]["QueueName"]
        for policy in TEMPLATE.resources[function]["Properties"].get("Policies", [])
        if isinstance(policy, dict) and "SQSSendMessagePolicy" in policy
    ]


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_queue_send_grants_go_to_code_that_sends_and_name_herald_queues(function: str) -> None:
    grants = send_grants(function)
    if not grants:
        return
    sources = code_needs.modules(FUNCTIONS[function].app_path)
    assert any("send_message" in source.read_text() for source in sources), f"{function} never sends to SQS"
    queues = set(TEMPLATE.of_type("AWS::SQS::Queue"))
    assert {grant["Fn::GetAtt"][0] for grant in grants} <= queues
    assert not [s for s in TEMPLATE.resources[function]["Properties"]["Policies"] if "sqs:SendMessage" in str(s)]


def test_replay_may_send_to_every_kind_queue_and_nothing_else() -> None:
    expected = {f"{channel.queue}Queue" for channel in CHANNELS.values()}
    assert {grant["Fn::GetAtt"][0] for grant in send_grants("EventsFunction")} == expected
