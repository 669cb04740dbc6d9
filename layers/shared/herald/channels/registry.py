"""Delivery kind → adapter."""

from __future__ import annotations

from herald.channels import discord, email, http, pagerduty, push, slack, sms, teams, telegram, voice, webhook
from herald.channels.base import Adapter

ADAPTERS: dict[str, Adapter] = {
    "webhook": webhook.send,
    "email": email.send,
    "slack": slack.send,
    "discord": discord.send,
    "teams": teams.send,
    "telegram": telegram.send,
    "pagerduty": pagerduty.send,
    "http": http.send,
    "sms": sms.send,
    "voice": voice.send,
    "push": push.send,
}
