"""One channel contract: each delivery kind is declared here and nowhere else.

A kind names its sender, the fields that say where it sends (a destination's identity for pacing and
the circuit breaker: everything else is formatting), the minimum interval between two sends to one
destination, and its queue: the template's `<Queue>Queue` and `<Queue>DeadLetterQueue`, whose URLs reach
the functions as QUEUE_URL_<KIND> and DEAD_LETTER_URL_<KIND>.
"""

from __future__ import annotations

from dataclasses import dataclass

from herald.senders import discord, email, http, pagerduty, push, slack, sms, teams, telegram, voice, webhook
from herald.senders.base import Adapter


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
        Channel("webhook", webhook.send, ("url",), "Webhook"),
        Channel("email", email.send, ("email", "addresses"), "Email"),
        Channel("slack", slack.send, ("webhookUrl",), "Slack", pacing_interval=1.0),
        Channel("discord", discord.send, ("webhookUrl",), "Discord"),
        Channel("teams", teams.send, ("url",), "Teams"),
        Channel("telegram", telegram.send, ("token", "chatId"), "Telegram", pacing_interval=1.0),
        Channel("pagerduty", pagerduty.send, ("routingKey",), "PagerDuty"),
        Channel("http", http.send, ("url",), "Http"),
        Channel("sms", sms.send, ("phoneNumber",), "Sms"),
        Channel("voice", voice.send, ("phoneNumber",), "Voice"),
        Channel("push", push.send, ("endpointArn",), "Push"),
    )
}

KINDS: tuple[str, ...] = tuple(CHANNELS)


def channel(kind: str) -> Channel | None:
    return CHANNELS.get(kind)
