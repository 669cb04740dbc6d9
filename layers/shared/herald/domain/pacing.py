"""Moved to herald.delivery.pacing."""

from herald.delivery.pacing import destination_key, provider_pause, wait_seconds

__all__ = ["destination_key", "provider_pause", "wait_seconds"]
