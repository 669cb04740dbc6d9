"""Deliveries per hour by status over the last 24 h, and dead-letter depth per kind (operator keys)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from herald import clock
from herald.aws import client
from herald.console.recent import RecentDelivery
from herald.delivery import replay
from herald.observability import logger
from herald.settings import get_settings

STATUSES = ("delivered", "failed", "pending", "skipped")


def hourly(deliveries: list[RecentDelivery]) -> list[dict[str, object]]:
    """24 buckets, oldest first: `hour` (ISO, on the hour) and a count per status."""
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    hours = [now - timedelta(hours=23 - i) for i in range(24)]
    keys = [clock.iso(h)[:13] for h in hours]
    counts: Counter[tuple[str, str]] = Counter((d.created_at[:13], d.status) for d in deliveries)
    return [
        {"hour": clock.iso(hour), **{status: counts[(key, status)] for status in STATUSES}}
        for hour, key in zip(hours, keys, strict=True)
    ]


def dead_letter_depths() -> dict[str, int | None]:
    """Messages waiting in each kind's dead-letter queue (found through the queue's redrive policy);
    None when the queue cannot be read."""
    sqs = client("sqs")
    depths: dict[str, int | None] = {}
    for kind, url in sorted(get_settings().queue_urls.items()):
        try:
            dead = replay.dead_letter_url(url)
            if dead is None:
                depths[kind] = None
                continue
            found = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["ApproximateNumberOfMessages"])
            depths[kind] = int(found["Attributes"]["ApproximateNumberOfMessages"])
        except Exception:
            logger.warning("dead-letter depth unavailable", extra={"kind": kind})
            depths[kind] = None
    return depths
