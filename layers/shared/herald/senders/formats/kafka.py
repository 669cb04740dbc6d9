"""Grafana's Kafka REST Proxy notifier: one record to `<kafkaRestProxy>/topics/<kafkaTopic>`."""

from __future__ import annotations

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, json_request
from herald.senders.render import Notification

TRIGGERED_METRICS = "\n\nTriggered metrics:\n\n"


def build(notification: Notification, target: Target) -> list[Request]:
    evaluated = rule(notification, target.config)
    details = TRIGGERED_METRICS + "".join(f"{m['metric']}: {m['value']}\n" for m in evaluated.eval_matches)
    value = {
        "alert_state": evaluated.state,
        "description": f"{evaluated.name} - {evaluated.message}",
        "client": "Grafana",
        "details": details,
        "incident_key": f"alertId-{evaluated.id}",
        "client_url": evaluated.url,
    }
    url = target.secrets["url"].rstrip("/") + "/topics/" + target.config["kafkaTopic"]
    headers = {"Content-Type": "application/vnd.kafka.json.v2+json", "Accept": "application/vnd.kafka.v2+json"}
    return [json_request(url, {"records": [{"value": value}]}, headers)]
