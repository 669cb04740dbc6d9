"""Write-only secrets: each value encrypted on its own with KMS under an (org, field) encryption context.

Sealing field by field lets an API function replace one secret without being able to decrypt the others:
only the delivery function holds kms:Decrypt.
"""

from __future__ import annotations

import base64

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


def unseal(org_id: str, sealed: dict[str, str]) -> dict[str, str]:
    values = {}
    for name, blob in sealed.items():
        result = client("kms").decrypt(
            CiphertextBlob=base64.b64decode(blob),
            EncryptionContext={"org": org_id, "field": name},
        )
        values[name] = bytes(result["Plaintext"]).decode()
    return values
