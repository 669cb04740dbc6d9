"""Moved to herald.delivery.step (the delivery core lives in herald/delivery/)."""

from herald.delivery.step import QueuedMessage, RetryLater, deliver

__all__ = ["QueuedMessage", "RetryLater", "deliver"]
