"""Write-only secrets: each value encrypted on its own with KMS under an (org, field) encryption context.

Sealing field by field lets an API function replace one secret without being able to decrypt the others:
only the delivery function holds kms:Decrypt.
"""

from __future__ import annotations

import base64
from functools import partial

from herald.aws import client
from herald.memo import Memo
from herald.settings import get_settings


def seal(org_id: str, values: dict[str, str]) -> dict[str, str]:
    sealed = {}
    for name, value in values.items():
        if not value:  # an empty secret is no secret (and KMS encrypts nothing shorter than a byte)
            continue
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
_decrypted: Memo[str] = Memo(ttl_seconds=300.0)


def unseal(org_id: str, sealed: dict[str, str]) -> dict[str, str]:
    return {
        name: _decrypted.get((org_id, name, blob), partial(_decrypt, org_id, name, blob))
        for name, blob in sealed.items()
    }


def _decrypt(org_id: str, name: str, blob: str) -> str:
    result = client("kms").decrypt(
        CiphertextBlob=base64.b64decode(blob),
        EncryptionContext={"org": org_id, "field": name},
    )
    return bytes(result["Plaintext"]).decode()


def clear_cache() -> None:
    _decrypted.clear()
