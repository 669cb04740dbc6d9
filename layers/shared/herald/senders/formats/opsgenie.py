"""Grafana's OpsGenie notifier: create an alert (alias `alertId-<ruleId>`) when alerting, close it by alias
on ok when `autoClose` (default on). `sendTagsAs` puts the rule tags in `tags` (default), `details` or both;
`overridePriority` (default on) takes the priority from an `og_priority` tag (P1 to P5)."""

from __future__ import annotations

from typing import Any

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, Skip, json_request
from herald.senders.render import Notification

DEFAULT_URL = "https://api.opsgenie.com/v2/alerts"
PRIORITIES = frozenset({"P1", "P2", "P3", "P4", "P5"})


def build(notification: Notification, target: Target) -> list[Request] | Skip:
    config = target.config
    evaluated = rule(notification, config)
    url = (config.get("apiUrl") or DEFAULT_URL).rstrip("/")
    headers = {"Authorization": f"GenieKey {target.secrets['apiKey']}"}
    alias = f"alertId-{evaluated.id}"
    if evaluated.state == "ok":
        if config.get("autoClose", "true") != "true":
            return Skip("autoClose is off")
        return [json_request(f"{url}/{alias}/close?identifierType=alias", {"source": "Grafana"}, headers)]
    send_tags_as = config.get("sendTagsAs") or "tags"
    details: dict[str, Any] = {"url": evaluated.url}
    tags = [f"{k}:{v}" if v else k for k, v in evaluated.tags.items()]
    body: dict[str, Any] = {
        "message": evaluated.name,
        "source": "Grafana",
        "alias": alias,
        "description": f"{evaluated.name} - {evaluated.url}\n{evaluated.message}\n",
        "details": details,
    }
    if send_tags_as in ("details", "both"):
        details.update(evaluated.tags)
    body["tags"] = tags if send_tags_as in ("tags", "both") else []
    priority = evaluated.tags.get("og_priority", "")
    if config.get("overridePriority", "true") == "true" and priority in PRIORITIES:
        body["priority"] = priority
    return [json_request(url, body, headers)]
