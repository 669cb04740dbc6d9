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
# send. A changed secret has a new ciphertext, so it is never served stale.
_CACHE_SECONDS = 300.0
_cache: dict[tuple[str, str, str], tuple[float, str]] = {}
_cache_lock = threading.Lock()


def unseal(org_id: str, sealed: dict[str, str]) -> dict[str, str]:
    values = {}
    now = time.monotonic()
    for name, blob in sealed.items():
        key = (org_id, name, blob)
        with _cache_lock:
            hit = _cache.get(key)
        if hit and hit[0] > now:
            values[name] = hit[1]
            continue
        result = client("kms").decrypt(
            CiphertextBlob=base64.b64decode(blob),
            EncryptionContext={"org": org_id, "field": name},
        )
        values[name] = bytes(result["Plaintext"]).decode()
        with _cache_lock:
            if len(_cache) > 4096:
                _cache.clear()
            _cache[key] = (now + _CACHE_SECONDS, values[name])
    return values
