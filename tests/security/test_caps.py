"""Security proof: one org cannot grow its destinations without bound (issue 15, item 1).

For each family the operator lowers the org's cap with the real CLI (`herald orgs limits`), then the
family's real route creates up to the cap; the next create answers in the family's own error shape with a
message naming the cap, and writes nothing. A delete gives the place back. The suite prints one line per
family ("caps enforced per family").
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from herald.cli.app import main as herald
from herald.families.oncall import service as oncall
from herald.families.oncall import store as oncall_repo
from tests.support.apigw import ApiClient, ApiResponse

CAP = 3
_names = itertools.count()


@dataclass(frozen=True)
class Family:
    name: str
    limit: str  # the `herald orgs limits` option that sets its cap
    create: Callable[[ApiClient, str, str], ApiResponse]
    count: Callable[[ApiClient, str, str], int]
    delete: Callable[[ApiClient, str, ApiResponse], ApiResponse]
    error: Callable[[dict[str, Any]], str]  # the message, read from the family's own error shape
    refused: int  # the status of a create past the cap


def _name() -> str:
    return f"d{next(_names)}"


def _uptime_create(api: ApiClient, token: str, org_id: str) -> ApiResponse:
    return api.post("/v1/alerts", {"name": _name(), "strategy": "email", "email": "ops@example.com"}, token=token)


def _influx_create(api: ApiClient, token: str, org_id: str) -> ApiResponse:
    body = {"type": "slack", "name": _name(), "orgID": org_id, "url": "https://hooks.slack.com/services/T/B/X"}
    return api.post("/api/v2/notificationEndpoints", body, token=token)


def _grafana_create(api: ApiClient, token: str, org_id: str) -> ApiResponse:
    body = {"name": _name(), "type": "email", "settings": {"addresses": "ops@example.com"}}
    return api.post("/api/alert-notifications", body, token=token)


def _mackerel(api: ApiClient, method: str, path: str, token: str, body: Any = None) -> ApiResponse:
    return api.request(method, path, body, headers={"X-Api-Key": token})


def _mackerel_channel_create(api: ApiClient, token: str, org_id: str) -> ApiResponse:
    body = {"name": _name(), "type": "email", "emails": ["ops@example.com"], "userIds": [], "events": ["alert"]}
    return _mackerel(api, "POST", "/api/v0/channels", token, body)


def _mackerel_group_create(api: ApiClient, token: str, org_id: str) -> ApiResponse:
    body = {"name": _name(), "notificationLevel": "all", "childNotificationGroupIds": [], "childChannelIds": []}
    return _mackerel(api, "POST", "/api/v0/notification-groups", token, body)


def _oncall(api: ApiClient, method: str, path: str, token: str, body: Any = None) -> ApiResponse:
    return api.request(method, path, body, headers={"host": "oncall.example.com", "authorization": token})


def _oncall_create(api: ApiClient, token: str, org_id: str) -> ApiResponse:
    users = oncall_repo.list_users(org_id)
    user_id = users[0].id if users else oncall.create_user(org_id, "alice@example.com").id
    return _oncall(api, "POST", "/api/v1/personal_notification_rules/", token, {"user_id": user_id, "type": "wait"})


FAMILIES = [
    Family(
        "uptime alerts",
        "alerts",
        _uptime_create,
        lambda api, token, org: len(api.get("/v1/alerts", token=token).json()["alerts"]),
        lambda api, token, made: api.delete(f"/v1/alerts/{made.json()['id']}", token=token),
        lambda body: str(body["error"]["code"] + ": " + body["error"]["message"]),
        409,
    ),
    Family(
        "InfluxDB notification endpoints",
        "destinations",
        _influx_create,
        lambda api, token, org: len(
            api.get(f"/api/v2/notificationEndpoints?orgID={org}", token=token).json()["notificationEndpoints"]
        ),
        lambda api, token, made: api.delete(f"/api/v2/notificationEndpoints/{made.json()['id']}", token=token),
        lambda body: str(body["code"] + ": " + body["message"]),
        403,
    ),
    Family(
        "Grafana alert notification channels",
        "destinations",
        _grafana_create,
        lambda api, token, org: len(api.get("/api/alert-notifications", token=token).json()),
        lambda api, token, made: api.delete(f"/api/alert-notifications/{made.json()['id']}", token=token),
        lambda body: str(body["message"]),
        403,
    ),
    Family(
        "Mackerel channels",
        "destinations",
        _mackerel_channel_create,
        lambda api, token, org: len(_mackerel(api, "GET", "/api/v0/channels", token).json()["channels"]),
        lambda api, token, made: _mackerel(api, "DELETE", f"/api/v0/channels/{made.json()['id']}", token),
        lambda body: str(body["error"]["message"]),
        403,
    ),
    Family(
        "Mackerel notification groups",
        "destinations",
        _mackerel_group_create,
        # the org's default group is there from the start and does not count
        lambda api, token, org: (
            len(_mackerel(api, "GET", "/api/v0/notification-groups", token).json()["notificationGroups"]) - 1
        ),
        lambda api, token, made: _mackerel(api, "DELETE", f"/api/v0/notification-groups/{made.json()['id']}", token),
        lambda body: str(body["error"]["message"]),
        403,
    ),
    Family(
        "OnCall personal notification rules",
        "destinations",
        _oncall_create,
        lambda api, token, org: len(
            _oncall(api, "GET", "/api/v1/personal_notification_rules/", token).json()["results"]
        ),
        lambda api, token, made: _oncall(
            api, "DELETE", f"/api/v1/personal_notification_rules/{made.json()['id']}/", token
        ),
        lambda body: str(body["detail"]),
        403,
    ),
]


def set_cap(org_id: str, option: str, value: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert herald(["orgs", "limits", "--org", org_id, f"--{option}", str(value)]) == 0
    shown = capsys.readouterr().out
    assert any(line.split()[:3] == [option, str(value), "override"] for line in shown.splitlines()), shown


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_a_create_past_the_cap_is_refused_in_the_familys_shape_and_writes_nothing(
    family: Family,
    api: ApiClient,
    org_id: str,
    token: str,
    capsys: pytest.CaptureFixture[str],
    record_property: Callable[[str, object], None],
) -> None:
    set_cap(org_id, family.limit, CAP, capsys)
    made = []
    for _ in range(CAP):
        answer = family.create(api, token, org_id)
        assert answer.status in (200, 201), answer.text
        made.append(answer)
    refused = family.create(api, token, org_id)
    assert refused.status == family.refused, refused.text
    message = family.error(refused.json())
    assert str(CAP) in message and ("alerts" in message or "destinations cap" in message), message
    assert family.count(api, token, org_id) == CAP  # nothing written
    assert family.delete(api, token, made[0]).status in (200, 204)
    again = family.create(api, token, org_id)
    assert again.status in (200, 201), again.text  # the delete gave the place back
    assert family.count(api, token, org_id) == CAP
    record_property(
        "security",
        f"caps enforced per family: {family.name:<37} cap {CAP} (--{family.limit}); create {CAP + 1} → "
        f"{refused.status} {message!r}; nothing written",
    )


@pytest.mark.usefixtures("atomic_moto")
def test_racing_creates_cannot_both_take_the_last_place(org_id: str, token: str) -> None:
    from herald.data import limits

    limits.override(org_id, {"destinations": 1})
    clients = [ApiClient(shared=False) for _ in range(4)]
    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = sorted(pool.map(lambda client: _influx_create(client, token, org_id).status, clients))
    assert statuses == [201, 403, 403, 403]
    assert limits.count(org_id, "ENDPOINTS") == 1
