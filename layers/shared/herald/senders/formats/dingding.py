"""Grafana's DingDing notifier: a `link` message (default) or an `actionCard`, opening the rule URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from herald.senders.base import Target
from herald.senders.formats.grafana_rule import rule
from herald.senders.formats.request import Request, json_request
from herald.senders.render import Notification


def build(notification: Notification, target: Target) -> list[Request]:
    evaluated = rule(notification, target.config)
    link = "dingtalk://dingtalkclient/page/link?" + urlencode({"pc_slide": "false", "url": evaluated.url})
    message = evaluated.message or evaluated.title
    for index, match in enumerate(evaluated.eval_matches, start=1):
        message += f"\n{index:2d}. {match['metric']}: {match['value']}"
    body: dict[str, Any]
    if target.config.get("msgType") == "actionCard":
        card = {"text": message, "title": evaluated.title, "singleTitle": "More", "singleURL": link}
        body = {"msgtype": "actionCard", "actionCard": card}
    else:
        body = {"msgtype": "link", "link": {"text": message, "title": evaluated.title, "messageUrl": link}}
    return [json_request(target.secrets["url"], body)]
