"""End to end on the local stack: Mackerel groups → child group → webhook channel, and concurrent writes
to an org's notification settings (the moto server applies requests one at a time, as DynamoDB would)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.conftest import HttpAnswer, LocalStack
from tests.support.receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

GROUPS = "/api/v0/notification-groups"


def mackerel(stack: LocalStack, method: str, path: str, key: str, body: Any = None) -> HttpAnswer:
    """Mackerel's clients authenticate with `X-Api-Key`."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(stack.api_url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Api-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return HttpAnswer(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, error.read(), dict(error.headers.items()))


def ok(answer: HttpAnswer) -> Any:
    assert answer.status == 200, answer.body
    return answer.json()


def test_group_to_child_group_to_webhook_channel_notifies_once(stack: LocalStack, receiver: Receiver) -> None:
    _, key = stack.new_org_token()
    channel = ok(
        mackerel(
            stack,
            "POST",
            "/api/v0/channels",
            key,
            {
                "name": "receiver",
                "type": "webhook",
                "url": receiver.url("/mackerel"),
                "events": ["alert"],
                # Also in the default group: reached twice (parent → child, and default), notified once.
                "addToDefaultNotificationGroup": True,
            },
        )
    )
    assert channel["url"] == receiver.url("/mackerel")  # returned as saved, as Mackerel does
    child = ok(
        mackerel(
            stack,
            "POST",
            GROUPS,
            key,
            {"name": "child", "notificationLevel": "all", "childChannelIds": [channel["id"]]},
        )
    )
    ok(
        mackerel(
            stack,
            "POST",
            GROUPS,
            key,
            {
                "name": "parent",
                "notificationLevel": "all",
                "childNotificationGroupIds": [child["id"]],
                "childChannelIds": [],
                "monitors": [{"id": "mon_checkout", "skipDefault": False}],
            },
        )
    )
    answer = stack.call(
        "POST", "/v1/events", key, {"monitorId": "mon_checkout", "status": "triggered", "title": "checkout is down"}
    )
    assert answer.status == 202, answer.body
    event_id = answer.json()["id"]

    got = receiver.wait_for(1)
    assert len(got) == 1 and got[0].path == "/mackerel"
    assert got[0].json()["event"] == "alert" and got[0].json()["alert"]["id"] == event_id  # Mackerel's body

    def delivered() -> list[dict[str, Any]] | None:
        found = list(stack.call("GET", f"/v1/events/{event_id}", key).json()["deliveries"])
        return found if found and all(d["status"] == "delivered" for d in found) else None

    deliveries = stack.wait_for(delivered, timeout=20)
    assert deliveries and len(deliveries) == 1
    assert deliveries[0]["destination"] == {
        "family": "mackerel",
        "kind": "webhook",
        "id": channel["id"],
        "name": "receiver",
    }
    time.sleep(1.5)  # nothing else arrives
    assert len(receiver.received) == 1


def test_concurrent_writes_keep_every_group_and_admit_no_cycle(stack: LocalStack) -> None:
    _, key = stack.new_org_token("groups:read", "groups:write")
    body = {"name": "g", "notificationLevel": "all", "childNotificationGroupIds": [], "childChannelIds": []}
    with ThreadPoolExecutor(6) as pool:
        made = list(pool.map(lambda i: mackerel(stack, "POST", GROUPS, key, {**body, "name": f"g{i}"}), range(6)))
    assert [m.status for m in made] == [200] * 6
    listed = ok(mackerel(stack, "GET", GROUPS, key))["notificationGroups"]
    assert len(listed) == 7

    a, b = made[0].json(), made[1].json()

    def link(pair: tuple[dict[str, Any], dict[str, Any]]) -> HttpAnswer:
        parent, child = pair
        return mackerel(
            stack, "PUT", f"{GROUPS}/{parent['id']}", key, {**body, "childNotificationGroupIds": [child["id"]]}
        )

    for _ in range(2):
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(link, [(a, b), (b, a)]))
        assert sorted(x.status for x in answers) == [200, 400], [x.body for x in answers]
        for group in (a, b):  # undo, and race again
            assert mackerel(stack, "PUT", f"{GROUPS}/{group['id']}", key, body).status == 200
