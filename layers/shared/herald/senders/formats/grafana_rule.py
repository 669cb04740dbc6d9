"""A Herald notification seen as a Grafana legacy alert rule evaluation (Grafana 7.5's EvalContext), the
input of every Grafana notifier body: rule id and name, state, title, message, rule URL, matches, tags.

Herald events carry no Grafana rule: `ruleId`, `dashboardId`, `panelId` and `orgId` come from the event's
labels of those names when they are integers (as Grafana's own webhook intake stores them), else 0 (orgId
1, Grafana's default org). A test send (`config["test"]`) is Grafana's test rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from herald.senders.render import Notification

TEST_MESSAGE = "Someone is testing the alert notification within Grafana."
TEST_MATCHES: list[dict[str, Any]] = [
    {"value": 100, "metric": "High value", "tags": None},
    {"value": 200, "metric": "Higher Value", "tags": None},
]
STATE_TEXT = {"alerting": "Alerting", "ok": "OK", "no_data": "No Data"}
NUMBERED = ("ruleId", "dashboardId", "panelId", "orgId")


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    state: str
    message: str
    url: str
    dashboard_id: int
    panel_id: int
    org_id: int
    eval_matches: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"[{STATE_TEXT.get(self.state, 'Unknown')}] {self.name}"


def _number(labels: dict[str, str], key: str, default: int) -> int:
    value = labels.get(key, "")
    return int(value) if value.lstrip("-").isdigit() else default


def rule(notification: Notification, config: dict[str, str]) -> Rule:
    if config.get("test"):
        return Rule(0, "Test notification", "alerting", TEST_MESSAGE, notification.url or "", 1, 1, 1, TEST_MATCHES)
    labels = notification.labels
    tags = {k: v for k, v in labels.items() if k not in NUMBERED}
    return Rule(
        id=_number(labels, "ruleId", 0),
        name=notification.title,
        state="ok" if notification.recovered else "alerting",
        message=notification.message or "",
        url=notification.url or "",
        dashboard_id=_number(labels, "dashboardId", 0),
        panel_id=_number(labels, "panelId", 0),
        org_id=_number(labels, "orgId", 1),
        tags=tags,
    )
