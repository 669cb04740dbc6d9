"""Mackerel routing rules, table-driven, on in-memory configurations (herald.families.mackerel.routing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from herald.events import StoredEvent
from herald.families.mackerel.routing import delivery_for, incident_key, mention_for, reached_channels
from herald.families.mackerel.store import ChannelRecord, Configuration, GroupRecord, MonitorRule

AT = "2024-01-01T00:00:00.000Z"
ORG = "0123456789abcdef"


def channel(name: str, events: list[str] | None = None, kind: str = "webhook", **extra: Any) -> ChannelRecord:
    return ChannelRecord(
        org_id=ORG,
        id=name,
        name=name,
        channel_type=kind,
        events=["alert"] if events is None else events,
        created_at=AT,
        updated_at=AT,
        **extra,
    )


def group(
    name: str,
    *,
    channels: tuple[str, ...] = (),
    children: tuple[str, ...] = (),
    monitors: tuple[tuple[str, bool], ...] = (),
    services: tuple[str, ...] = (),
    level: str = "all",
    default: bool = False,
) -> GroupRecord:
    return GroupRecord(
        org_id=ORG,
        id=name,
        group_type="group-default" if default else "group",
        name=name,
        notification_level=level,
        child_group_ids=list(children),
        child_channel_ids=list(channels),
        monitors=[MonitorRule(id=m, skip_default=s) for m, s in monitors],
        services=list(services),
        created_at=AT,
        updated_at=AT,
    )


def config(groups: list[GroupRecord], channels: list[ChannelRecord] | None = None) -> Configuration:
    """Every channel the groups name exists (a plain webhook) unless `channels` lists the ones that do."""
    every = {c.id: c for c in channels} if channels else {n: channel(n) for g in groups for n in g.child_channel_ids}
    return Configuration(org_id=ORG, version=1, channels=every, groups={g.id: g for g in groups})


@dataclass
class Case:
    name: str
    groups: list[GroupRecord]
    expected: list[str]
    monitor: str | None = "mon_a"
    service: str | None = None
    status: str = "triggered"
    severity: str = "critical"
    critical_open: bool = False
    channels: list[ChannelRecord] = field(default_factory=list)


DEFAULT = group("default", channels=("d",), default=True)

CASES = [
    Case("no group matches: the default group only", [DEFAULT, group("g", channels=("g",))], ["d"]),
    Case(
        "monitor match, and the default group",
        [DEFAULT, group("g", channels=("g",), monitors=(("mon_a", False),))],
        ["g", "d"],
    ),
    Case(
        "service match, and the default group",
        [DEFAULT, group("g", channels=("g",), services=("checkout",))],
        ["g", "d"],
        monitor=None,
        service="checkout",
    ),
    Case(
        "another monitor or service does not match",
        [DEFAULT, group("g", channels=("g",), monitors=(("mon_b", False),), services=("other",))],
        ["d"],
        service="checkout",
    ),
    Case(
        "skipDefault on the matching monitor entry leaves out the default group",
        [DEFAULT, group("g", channels=("g",), monitors=(("mon_a", True),))],
        ["g"],
    ),
    Case(
        "skipDefault on another monitor's entry does not",
        [DEFAULT, group("g", channels=("g",), monitors=(("mon_b", True),), services=("checkout",))],
        ["g", "d"],
        service="checkout",
    ),
    Case(
        "skipDefault in one matching group wins over another matching group without it",
        [
            DEFAULT,
            group("g1", channels=("g1",), monitors=(("mon_a", False),)),
            group("g2", channels=("g2",), monitors=(("mon_a", True),)),
        ],
        ["g1", "g2"],
    ),
    Case(
        "event without monitor or service: the default group only",
        [DEFAULT, group("g", channels=("g",), monitors=(("mon_a", False),))],
        ["d"],
        monitor=None,
    ),
    Case(
        "child groups are followed recursively",
        [
            DEFAULT,
            group("a", channels=("a",), children=("b",), monitors=(("mon_a", True),)),
            group("b", channels=("b",), children=("c",)),
            group("c", channels=("c",)),
        ],
        ["a", "b", "c"],
    ),
    Case(
        "children of the default group are followed",
        [group("default", channels=("d",), children=("x",), default=True), group("x", channels=("x",))],
        ["d", "x"],
    ),
    Case(
        "a cycle in stored data is walked once",
        [
            DEFAULT,
            group("a", channels=("a",), children=("b",), monitors=(("mon_a", True),)),
            group("b", channels=("b",), children=("a",)),
        ],
        ["a", "b"],
    ),
    Case(
        "a channel reached through several groups is notified once",
        [
            group("default", channels=("shared",), default=True),
            group("a", channels=("shared",), children=("b",), monitors=(("mon_a", False),)),
            group("b", channels=("shared", "b")),
        ],
        ["shared", "b"],
    ),
    Case(
        "unknown (dangling) child ids are ignored",
        [DEFAULT, group("a", channels=("a", "gone"), children=("nogroup",), monitors=(("mon_a", False),))],
        ["a", "d"],
        channels=[channel("a"), channel("d")],
    ),
    Case(
        "a channel whose events do not include alert is skipped",
        [group("default", channels=("hosts", "alerts"), default=True)],
        ["alerts"],
        channels=[channel("hosts", ["hostStatus", "monitor"]), channel("alerts", ["alertGroup", "alert"])],
    ),
    Case(
        "a channel with events [] is skipped",
        [group("default", channels=("none",), default=True)],
        [],
        channels=[channel("none", [])],
    ),
    Case(
        "critical level passes a critical trigger",
        [group("default", channels=("d",), level="critical", default=True)],
        ["d"],
    ),
    Case(
        "critical level blocks a warning trigger",
        [group("default", channels=("d",), level="critical", default=True)],
        [],
        severity="warning",
    ),
    Case(
        "critical level blocks an info trigger, level all passes it",
        [DEFAULT, group("g", channels=("g",), level="critical", monitors=(("mon_a", False),))],
        ["d"],
        severity="info",
    ),
    Case(
        "critical level passes the recovery of an open critical incident",
        [group("default", channels=("d",), level="critical", default=True)],
        ["d"],
        status="recovered",
        severity="warning",
        critical_open=True,
    ),
    Case(
        "critical level blocks a recovery without an open critical incident",
        [group("default", channels=("d",), level="critical", default=True)],
        [],
        status="recovered",
        critical_open=False,
    ),
    Case(
        "level all passes every recovery",
        [DEFAULT],
        ["d"],
        status="recovered",
        severity="info",
    ),
    Case(
        "a critical parent stops its children for a warning",
        [
            DEFAULT,
            group("p", channels=("p",), children=("c",), level="critical", monitors=(("mon_a", True),)),
            group("c", channels=("c",)),
        ],
        [],
        severity="warning",
    ),
    Case(
        "a critical child filters its own channels under an all parent",
        [
            DEFAULT,
            group("p", channels=("p",), children=("c",), monitors=(("mon_a", True),)),
            group("c", channels=("c",), level="critical"),
        ],
        ["p"],
        severity="warning",
    ),
    Case(
        "skipDefault applies even when the matching group's level blocks the event",
        [DEFAULT, group("g", channels=("g",), level="critical", monitors=(("mon_a", True),))],
        [],
        severity="warning",
    ),
    Case(
        "the default group reached as a child is notified despite skipDefault",
        [DEFAULT, group("g", channels=("g",), children=("default",), monitors=(("mon_a", True),))],
        ["g", "d"],
    ),
    Case("no groups at all", [], []),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_routing_rule(case: Case) -> None:
    asked: list[bool] = []

    def recovery_of_critical() -> bool:
        asked.append(True)
        return case.critical_open

    reached = reached_channels(
        config(case.groups, case.channels),
        case.monitor,
        case.service,
        case.status,
        case.severity,
        recovery_of_critical,
    )
    assert [c.id for c in reached] == case.expected
    assert len(asked) <= 1  # the incident record is consulted once per event at most
    if case.status == "triggered":
        assert asked == []


def test_recovery_check_is_only_made_for_critical_groups() -> None:
    asked: list[bool] = []

    def recovery_of_critical() -> bool:
        asked.append(True)
        return True

    reached_channels(config([DEFAULT]), "mon_a", None, "recovered", "critical", recovery_of_critical)
    assert asked == []


@pytest.mark.parametrize(
    ("snapshot", "monitor", "service", "expected"),
    [
        ({"dedupKey": "k1"}, "mon_a", "svc", "dedup:k1"),
        ({}, "mon_a", "svc", "monitor:mon_a"),
        ({}, None, "svc", "service:svc"),
        ({}, None, None, "event:evt_1"),
    ],
)
def test_incident_key(snapshot: dict[str, Any], monitor: str | None, service: str | None, expected: str) -> None:
    event = StoredEvent.from_item(
        {**snapshot, "id": "evt_1", "orgId": ORG, "status": "recovered", "title": "t", "createdAt": AT}
        | {"monitorId": monitor, "service": service}
    )
    assert incident_key(event) == expected


@pytest.mark.parametrize(
    ("status", "severity", "expected"),
    [
        ("triggered", "critical", "@channel"),
        ("triggered", "warning", "@here"),
        ("triggered", "info", ""),
        ("recovered", "critical", "ok!"),
    ],
)
def test_slack_mention_by_state(status: str, severity: str, expected: str) -> None:
    slack = channel("s", kind="slack", mentions={"ok": "ok!", "warning": "@here", "critical": "@channel"})
    assert mention_for(slack, status, severity) == expected


def test_deliveries_per_channel_type() -> None:
    email = delivery_for(channel("e", kind="email", emails=["a@example.com", "b@example.com"]), "triggered", "critical")
    assert email is not None and email.kind == "email" and email.config["email"] == "a@example.com,b@example.com"
    assert email.family == "mackerel" and email.destination_key == "mackerel:e" and email.sealed == {}
    assert delivery_for(channel("e0", kind="email", emails=[]), "triggered", "critical") is None
    slack = delivery_for(
        channel("s", kind="slack", mentions={"critical": "@channel"}, sealed={"webhookUrl": "blob"}),
        "triggered",
        "critical",
    )
    assert slack is not None and slack.kind == "slack" and slack.sealed == {"webhookUrl": "blob"}
    assert slack.config["mention"] == "@channel"
    hook = delivery_for(channel("w", sealed={"url": "blob"}), "recovered", "critical")
    assert (
        hook is not None and hook.kind == "webhook" and hook.sealed == {"url": "blob"} and "mention" not in hook.config
    )


def test_slack_adapter_prefixes_the_mention() -> None:
    from herald.senders import slack
    from herald.senders.render import Notification

    notification = Notification(id="evt_1", status="triggered", severity="critical", title="db down", created_at=AT)
    assert slack.payload(notification, {"mention": "@channel"})["text"] == "@channel [TRIGGERED] db down"
    assert slack.payload(notification, {})["text"] == "[TRIGGERED] db down"
