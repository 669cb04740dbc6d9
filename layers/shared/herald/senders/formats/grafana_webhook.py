"""Grafana's legacy webhook notifier body (Grafana 7.5 `webhook.go`), so a receiver written for Grafana
works unchanged. `httpMethod` POST or PUT; basic auth only when both username and password are set."""

from __future__ import annotations

from typing import Any

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, basic_auth, json_request
from herald.senders.render import Notification


def body(notification: Notification, config: dict[str, str]) -> dict[str, Any]:
    evaluated = rule(notification, config)
    payload: dict[str, Any] = {
        "dashboardId": evaluated.dashboard_id,
        "evalMatches": evaluated.eval_matches,
        "orgId": evaluated.org_id,
        "panelId": evaluated.panel_id,
        "ruleId": evaluated.id,
        "ruleName": evaluated.name,
        "state": evaluated.state,
        "tags": evaluated.tags,
        "title": evaluated.title,
    }
    if evaluated.url:
        payload["ruleUrl"] = evaluated.url
    if evaluated.message:
        payload["message"] = evaluated.message
    return dict(sorted(payload.items()))


def build(notification: Notification, target: Target) -> list[Request]:
    method = "PUT" if target.config.get("httpMethod", "").upper() == "PUT" else "POST"
    headers = {
        "User-Agent": "Grafana",
        **basic_auth(target.config.get("username", ""), target.secrets.get("password", "")),
    }
    return [json_request(target.secrets["url"], body(notification, target.config), headers, method)]
