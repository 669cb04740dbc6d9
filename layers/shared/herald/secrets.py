"""Write-only secrets: each value encrypted on its own with KMS under an (org, field) encryption context.

Sealing field by field lets an API function replace one secret without being able to decrypt the others:
only the delivery function holds kms:Decrypt.
"""

from __future__ import annotations

import base64
import threading
import time

from herald.aws import client
from herald.settings import get_settings


def seal(org_id: str, values: dict[str, str]) -> dict[str, str]:
    sealed = {}
    for name, value in values.items():
        result = client("kms").encrypt(
            KeyId=get_settings().kms_key_id,
            Plaintext=value.encode(),
            EncryptionContext={"org": org_id, "field": name},
        )
        sealed[name] = base64.b64encode(result["CiphertextBlob"]).decode()
    return sealed


# Decrypted values are kept in the delivery container for a few minutes, keyed by their ciphertext, so a
# destination that receives many notifications costs one KMS Decrypt per container and period, not one per
# send. A changed secret has a new ciphertext, so it is never served stale. The delivery function sends a
# batch's messages on parallel threads: a miss is decrypted by one thread while the others with the same
# ciphertext wait for it (one Decrypt per batch, not one per message).
_CACHE_SECONDS = 300.0
_CACHE_LIMIT = 4096
CacheKey = tuple[str, str, str]
_cache: dict[CacheKey, tuple[float, str]] = {}
_decrypting: dict[CacheKey, threading.Lock] = {}
_cache_lock = threading.Lock()


def unseal(org_id: str, sealed: dict[str, str]) -> dict[str, str]:
    return {name: _unseal_one(org_id, name, blob) for name, blob in sealed.items()}


def _cached(key: CacheKey) -> str | None:
    hit = _cache.get(key)
    return hit[1] if hit and hit[0] > time.monotonic() else None


def _unseal_one(org_id: str, name: str, blob: str) -> str:
    key = (org_id, name, blob)
    with _cache_lock:
        value = _cached(key)
        if value is not None:
            return value
        flight = _decrypting.setdefault(key, threading.Lock())
    with flight:
        with _cache_lock:
            value = _cached(key)
        if value is not None:
            return value
        try:
            result = client("kms").decrypt(
                CiphertextBlob=base64.b64decode(blob),
                EncryptionContext={"org": org_id, "field": name},
            )
            value = bytes(result["Plaintext"]).decode()
            with _cache_lock:
                if len(_cache) >= _CACHE_LIMIT:
                    _cache.clear()
                _cache[key] = (time.monotonic() + _CACHE_SECONDS, value)
            return value
        finally:
            with _cache_lock:
                _decrypting.pop(key, None)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
