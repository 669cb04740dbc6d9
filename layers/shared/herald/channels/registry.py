"""Delivery kind → adapter."""

from __future__ import annotations

from herald.channels import discord, email, slack, webhook
from herald.channels.base import Adapter

ADAPTERS: dict[str, Adapter] = {
    "webhook": webhook.send,
    "email": email.send,
    "slack": slack.send,
    "discord": discord.send,
}
