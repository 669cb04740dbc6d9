"""Delivery kind → sender, derived from the one channel contract (herald.delivery.contract)."""

from __future__ import annotations

from herald.delivery.contract import CHANNELS
from herald.senders.base import Adapter

ADAPTERS: dict[str, Adapter] = {kind: channel.sender for kind, channel in CHANNELS.items()}
