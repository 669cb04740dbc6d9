"""One channel contract: each delivery kind is declared here and nowhere else.

A kind names its sender, the fields that say where it sends (a destination's identity for pacing and
the circuit breaker: everything else is formatting), the minimum interval between two sends to one
destination, and its queue: the template's `<Queue>Queue` and `<Queue>DeadLetterQueue`, whose URLs reach
the functions as QUEUE_URL_<KIND> and DEAD_LETTER_URL_<KIND>.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from herald.senders.base import Adapter, Outcome, Target
from herald.senders.render import Notification


def _on_first_send(module: str) -> Adapter:
    """The kind's sender, imported at its first send: a container sends through one or two kinds, and
    importing every adapter (SES, SNS, the chat formats) at start is a measurable part of a cold start."""

    def send(notification: Notification, target: Target) -> Outcome:
        adapter: Adapter = importlib.import_module(f"herald.senders.{module}").send
        return adapter(notification, target)

    send.__qualname__ = f"{module}.send"
    return send


@dataclass(frozen=True)
class Channel:
    kind: str
    sender: Adapter
    address_fields: tuple[str, ...]
    queue: str  # logical name prefix in template.yaml
    pacing_interval: float = 0.0  # seconds; 0: paced only by the provider's own answers (Retry-After)

    @property
    def queue_env(self) -> str:
        return f"QUEUE_URL_{self.kind.upper()}"


CHANNELS: dict[str, Channel] = {
    channel.kind: channel
    for channel in (
        Channel("webhook", _on_first_send("webhook"), ("url",), "Webhook"),
        Channel("email", _on_first_send("email"), ("email", "addresses"), "Email"),
        Channel("slack", _on_first_send("slack"), ("webhookUrl",), "Slack", pacing_interval=1.0),
        Channel("discord", _on_first_send("discord"), ("webhookUrl",), "Discord"),
        Channel("teams", _on_first_send("teams"), ("url",), "Teams"),
        Channel("telegram", _on_first_send("telegram"), ("token", "chatId"), "Telegram", pacing_interval=1.0),
        Channel("pagerduty", _on_first_send("pagerduty"), ("routingKey",), "PagerDuty"),
        Channel("http", _on_first_send("http"), ("url",), "Http"),
        Channel("sms", _on_first_send("sms"), ("phoneNumber",), "Sms"),
        Channel("voice", _on_first_send("voice"), ("phoneNumber",), "Voice"),
        Channel("push", _on_first_send("push"), ("endpointArn",), "Push"),
    )
}

KINDS: tuple[str, ...] = tuple(CHANNELS)


def channel(kind: str) -> Channel | None:
    return CHANNELS.get(kind)
