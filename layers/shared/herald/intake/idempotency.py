"""`Idempotency-Key` on intake, after the IETF httpapi draft (draft-ietf-httpapi-idempotency-key-header):

- the same key with the same body within 24 h answers the first answer again (`Idempotent-Replayed: true`),
  and does nothing else: no second event, no second fan-out;
- the same key with another body → 422; the first request still in progress → 409;
- keys are per org; a request that fails releases its key, so that the client's retry runs it again.

The event id is chosen when the key is claimed, so that if the first request died after storing its event
but before answering, the retry that takes the key over answers that event instead of storing a second one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from herald import clock, ids
from herald.data import idempotency as repo
from herald.errors import Conflict, Unprocessable, ValidationFailed

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
WINDOW_SECONDS = 24 * 3600
# Longer than a function may run (30 s), so a lock runs out only when its request is surely gone.
LOCK_SECONDS = 60
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    replayed: bool = False


def key_from(headers: dict[str, str]) -> str | None:
    """The header's key: a Structured Field string ("…") or, as most clients send it, a bare token."""
    raw = next((v for k, v in headers.items() if k.lower() == HEADER.lower()), None)
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(f"{HEADER}: must be 1 to {MAX_KEY_LENGTH} printable characters")
    return key


def fingerprint(body: str) -> str:
    """The request's fingerprint: its JSON with sorted keys (so that spacing and key order do not count)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical.encode()).hexdigest()


def run(
    org_id: str,
    key: str,
    body: str,
    work: Callable[[str], Answer],
    already_done: Callable[[str], Answer | None],
) -> Answer:
    """Runs `work(event_id)` once per (org, key, body). `already_done(event_id)` answers for an event that a
    request which died before answering had stored."""
    digest = fingerprint(body)
    event_id = ids.event_id()
    now = clock.epoch()
    held = repo.claim(org_id, key, digest, event_id, now, LOCK_SECONDS, int(now) + WINDOW_SECONDS)
    if held is not None:
        if held.get("fingerprint") != digest:
            raise Unprocessable(f"{HEADER} was already used with a different request body")
        if held.get("state") == "done":
            return Answer(int(held["answerStatus"]), str(held["answerBody"]), replayed=True)
        locked_until = int(held.get("lockedUntil", 0))
        if locked_until > now or not repo.take_over(org_id, key, locked_until, now, LOCK_SECONDS):
            raise Conflict(f"A request with this {HEADER} is still being processed")
        event_id = str(held.get("eventId") or event_id)
        stored = already_done(event_id)
        if stored is not None:
            repo.complete(org_id, key, stored.status, stored.body)
            return stored
    try:
        answer = work(event_id)
    except BaseException:
        repo.release(org_id, key)
        raise
    if 200 <= answer.status < 300:
        repo.complete(org_id, key, answer.status, answer.body)
    else:
        repo.release(org_id, key)
    return answer
