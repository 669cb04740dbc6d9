"""Grafana's VictorOps notifier: CRITICAL on alerting, RECOVERY on ok unless `autoResolve` is off."""

from __future__ import annotations

from herald import clock
from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, Skip, json_request
from herald.senders.render import Notification


def build(notification: Notification, target: Target) -> list[Request] | Skip:
    evaluated = rule(notification, target.config)
    if evaluated.state == "ok" and target.config.get("autoResolve", "true") != "true":
        return Skip("autoResolve is off")
    now = int(clock.epoch())
    body = {
        "message_type": "RECOVERY" if evaluated.state == "ok" else "CRITICAL",
        "entity_id": evaluated.name,
        "entity_display_name": evaluated.title,
        "timestamp": now,
        "state_start_time": now,
        "state_message": evaluated.message,
        "monitoring_tool": "Grafana",
        "alert_url": evaluated.url,
        "metrics": {match["metric"]: match["value"] for match in evaluated.eval_matches[:5]},
    }
    return [json_request(target.secrets["url"], body)]
