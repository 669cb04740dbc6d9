"""Every delivery message names its org (issue 15, item 3): in its body, for the batch loop's fair turns,
and as its SQS MessageGroupId, which makes the standard delivery queues fair queues. Checked on the
fan-out's messages and on the fresh message that carries a retry on (the reschedule path)."""

# ruff: noqa: F811  (the pipeline fixtures are imported from test_pipeline and named as parameters)
from __future__ import annotations

import json
import time
from typing import Any

import pytest

from herald import settings
from tests.integration.test_pipeline import (  # noqa: F401  (fixtures)
    Pipeline,
    account,
    atomic_moto,
    count_calls,
    pipe,
    receiver,
    shared_receiver,
)
from tests.support.receiver import Receiver, Reply


def org_named(message: dict[str, Any]) -> tuple[str, str]:
    return json.loads(message["Body"])["orgId"], message["Attributes"]["MessageGroupId"]


def test_fanned_out_and_rescheduled_messages_are_in_their_orgs_message_group(
    pipe: Pipeline, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one send per message and a receiver that is down
    monkeypatch.setenv("HERALD_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("HERALD_RETRY_BASE_SECONDS", "0.1")
    settings.get_settings.cache_clear()
    receiver.default = Reply(status=500, body=b"down")
    try:
        org = pipe.api.get("/v1/console/session", token=pipe.token).json()["orgId"]
        pipe.create_alert(receiver.url("/down"))
        pipe.fan_out_events(pipe.post_event())

        # When the fan-out's message is sent and fails, spending the message's only attempt
        [first] = pipe.receive()
        assert org_named(first) == (org, org)
        sends = count_calls("SendMessageBatch")
        assert pipe.deliver([first]) == []  # done: a fresh message carries the retry on

        # Then the fresh message is in the org's group too
        assert [e.get("MessageGroupId") for c in sends for e in c["Entries"]] == [org]
        deadline = time.time() + 5
        while not (fresh := pipe.receive()) and time.time() < deadline:
            time.sleep(0.2)
        assert [org_named(m) for m in fresh] == [(org, org)]
    finally:
        receiver.default = Reply()
