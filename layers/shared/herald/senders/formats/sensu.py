"""Grafana's Sensu notifier: a check result (status 2 alerting, 0 ok) with optional source, handler and
basic auth (user and password both set)."""

from __future__ import annotations

from typing import Any

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, basic_auth, json_request
from herald.senders.render import Notification


def build(notification: Notification, target: Target) -> list[Request]:
    config = target.config
    evaluated = rule(notification, config)
    body: dict[str, Any] = {
        "ruleId": evaluated.id,
        "name": evaluated.name.replace(" ", "_"),
        "source": config.get("source") or f"grafana_rule_{evaluated.id}",
        "output": evaluated.message or "Grafana Metric Condition Met",
        "evalMatches": evaluated.eval_matches,
        "status": 2 if evaluated.state == "alerting" else 0,
    }
    if config.get("handler"):
        body["handler"] = config["handler"]
    if evaluated.url:
        body["ruleUrl"] = evaluated.url
    headers = basic_auth(config.get("username", ""), target.secrets.get("password", ""))
    return [json_request(target.secrets["url"], body, headers)]
