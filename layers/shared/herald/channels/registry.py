"""Delivery kind → sender, derived from the one channel contract (herald.delivery.contract)."""

from __future__ import annotations

from herald.channels.base import Adapter
from herald.delivery.contract import CHANNELS

ADAPTERS: dict[str, Adapter] = {kind: channel.sender for kind, channel in CHANNELS.items()}
