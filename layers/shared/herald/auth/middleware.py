"""One authentication step for every family: the header forms of all five APIs, a per-container LRU of keys."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping

from herald.auth import api_keys, attribution, ratelimit
from herald.auth.api_keys import Principal
from herald.errors import Forbidden, Unauthorized
from herald.settings import get_settings

MAX_CACHED_KEYS = 1024


class _Lru:
    """Digest → (expiry, principal), least recently used out first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()

    def get(self, digest: str, now: float) -> tuple[float, Principal | None] | None:
        hit = self.items.get(digest)
        if hit is None or hit[0] <= now:
            return None
        self.items.move_to_end(digest)
        return hit

    def put(self, digest: str, entry: tuple[float, Principal | None]) -> None:
        self.items[digest] = entry
        self.items.move_to_end(digest)
        while len(self.items) > self.size:
            self.items.popitem(last=False)


# Known keys and unknown tokens are cached apart: a spray of random tokens churns only the second.
_known = _Lru(MAX_CACHED_KEYS)
_unknown = _Lru(MAX_CACHED_KEYS)
_cache_lock = threading.Lock()


def token_from_headers(headers: Mapping[str, str]) -> str | None:
    """`Authorization: Bearer T`, `Token T` or raw `T` (OnCall), or `X-Api-Key: T` (Mackerel)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    api_key = (lowered.get("x-api-key") or "").strip()
    if api_key:
        return api_key
    authorization = (lowered.get("authorization") or "").strip()
    if not authorization:
        return None
    scheme, _, rest = authorization.partition(" ")
    if scheme.lower() in {"bearer", "token"}:
        # "Bearer" with nothing after it names no token (no real token is that short).
        return rest.strip() or None
    return authorization


def authenticate(headers: Mapping[str, str]) -> Principal:
    token = token_from_headers(headers)
    if not token:
        raise Unauthorized("Missing or invalid API key")
    principal = _cached_lookup(token)
    if principal is None:
        raise Unauthorized("Missing or invalid API key")
    return principal


def authorize(headers: Mapping[str, str], scope: str | None) -> Principal:
    return authorize_principal(authenticate(headers), scope)


def authenticate_token(token: str) -> Principal | None:
    """A key given in the body rather than a header (PagerDuty's `routing_key`); None when unknown."""
    return _cached_lookup(token) if token else None


def authorize_principal(principal: Principal, scope: str | None) -> Principal:
    attribution.attribute(principal)  # before the scope and rate checks: refused requests are attributed too
    if scope and not principal.can(scope):
        raise Forbidden(f"API key doesn't have {scope} scope")
    ratelimit.take(principal.key_id or principal.key_name)
    return principal


def _cached_lookup(token: str) -> Principal | None:
    ttl = get_settings().key_cache_seconds
    now = time.monotonic()
    digest = api_keys.token_hash(token)
    with _cache_lock:
        hit = _known.get(digest, now) or _unknown.get(digest, now)
    if hit:
        return hit[1]
    principal = api_keys.lookup(token)
    with _cache_lock:
        (_known if principal is not None else _unknown).put(digest, (now + ttl, principal))
    return principal


def clear_cache() -> None:
    with _cache_lock:
        _known.items.clear()
        _unknown.items.clear()
    ratelimit.reset()
