"""Per-destination pacing, so no burst from Herald turns into a provider ban.

- Kinds with a pacing interval in the channel contract (Slack: 1 message per second per incoming
  webhook URL; Telegram: 1 per second per (bot, chat)). A send
  reserves the destination's next slot with a conditional write on its pacing record; a slot in the
  future holds the message on its queue until then (ChangeMessageVisibility) and stores the slot on the
  delivery record, so the next receive sends in its reserved slot without reserving again: a message is
  held at most once per attempt.
- Discord and Teams (and every kind) are paced by their own answers: a 429 with Retry-After (header or
  body) pushes the destination's `nextAllowedAt` forward, so the destination's other queued deliveries
  wait too instead of each earning its own 429.

Destination keys are SHA-256 digests of the org, the kind and its address (URL, token + chat, routing
key, phone...), never the secret itself. The org is part of the key so that two orgs sending to the same
address share neither a breaker nor a pacing slot: one org's failing or throttled sends cannot hold back
another org's (issue 15).
"""

from __future__ import annotations

import hashlib
import json

from herald.data import pacing as repo
from herald.delivery.contract import channel


def destination_key(org_id: str, kind: str, config: dict[str, str], secrets: dict[str, str]) -> str:
    merged = {**config, **secrets}
    declared = channel(kind)
    fields = declared.address_fields if declared else None
    address = {f: merged.get(f, "") for f in fields} if fields else merged
    if fields and not any(address.values()):
        address = merged
    digest = hashlib.sha256(json.dumps([org_id, kind, address], sort_keys=True).encode()).hexdigest()
    return digest[:40]


def wait_seconds(
    kind: str, key: str, now: float, reserved_slot: float | None, next_allowed: float | None = None
) -> tuple[float, float | None]:
    """(wait, slot): wait 0 means send now. A slot reserved on an earlier receive is honoured as is.
    next_allowed is the destination's `nextAllowedAt` when the caller has just read it (else read here)."""
    if reserved_slot is not None and reserved_slot <= now + 0.25:
        return 0.0, None
    if reserved_slot is not None:
        return reserved_slot - now, reserved_slot
    declared = channel(kind)
    interval = declared.pacing_interval if declared else 0.0
    if interval <= 0:
        if next_allowed is None:
            next_allowed = repo.next_allowed(key)
        return (next_allowed - now, None) if next_allowed > now else (0.0, None)
    slot = repo.reserve(key, now, interval, next_allowed)
    return (slot - now, slot) if slot > now else (0.0, None)


def provider_pause(key: str, now: float, retry_after: float | None) -> None:
    if retry_after is not None and retry_after > 0:
        repo.push_back(key, now + retry_after)
