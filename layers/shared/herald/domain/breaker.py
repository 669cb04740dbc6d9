"""Moved to herald.delivery.breaker."""

from herald.delivery.breaker import Gate, after_send, check, release_held

__all__ = ["Gate", "after_send", "check", "release_held"]
