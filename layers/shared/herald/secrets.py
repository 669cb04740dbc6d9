"""Write-only secrets: each value encrypted on its own with KMS, sealed once under an encryption context
that names its owner and its field.

Sealing field by field lets an API function replace one secret without being able to decrypt the others:
only the delivery function holds kms:Decrypt.

- An org's destinations (alerts, endpoints, channels, groups) are owned by the org: the context is
  {org, field}, and the field is the name the secret is stored under, which is also the name its sender
  reads.
- A secret with its own owner (an OnCall user's contact, owner `oncall-user/<id>`) carries its owner and
  field with the ciphertext, `<owner>|<field>|<ciphertext>`, as the AWS Encryption SDK keeps its context in
  the message header. It can then sit under the name its sender reads (a user's `webhookUrl` is the
  webhook sender's `url`) and still open under exactly the context it was sealed with. The org always
  comes from the record being sent, so no secret opens for another org.
"""

from __future__ import annotations

import base64
from functools import partial

from herald.aws import client
from herald.memo import Memo
from herald.settings import get_settings

SEPARATOR = "|"


def _context(org_id: str, owner: str | None, field: str) -> dict[str, str]:
    return {"org": org_id, "field": field, **({"owner": owner} if owner else {})}


def seal(org_id: str, values: dict[str, str], owner: str | None = None) -> dict[str, str]:
    sealed = {}
    for name, value in values.items():
        if not value:  # an empty secret is no secret (and KMS encrypts nothing shorter than a byte)
            continue
        result = client("kms").encrypt(
            KeyId=get_settings().kms_key_id, Plaintext=value.encode(), EncryptionContext=_context(org_id, owner, name)
        )
        blob = base64.b64encode(result["CiphertextBlob"]).decode()
        sealed[name] = SEPARATOR.join((owner, name, blob)) if owner else blob
    return sealed


def sealed_as(name: str, value: str) -> tuple[str | None, str, str]:
    """(owner, field, ciphertext) of a sealed value stored under `name`."""
    if value.count(SEPARATOR) == 2:
        owner, field, blob = value.split(SEPARATOR)
        return owner, field, blob
    return None, name, value


# Decrypted values are kept in the delivery container for a few minutes, keyed by their ciphertext, so a
# destination that receives many notifications costs one KMS Decrypt per container and period, not one per
# send. A changed secret has a new ciphertext, so it is never served stale. The delivery function sends a
# batch's messages on parallel threads: a miss is decrypted by one thread while the others with the same
# ciphertext wait for it (one Decrypt per batch, not one per message).
_decrypted: Memo[str] = Memo(ttl_seconds=300.0)


def unseal(org_id: str, sealed: dict[str, str]) -> dict[str, str]:
    opened = {}
    for name, value in sealed.items():
        owner, field, blob = sealed_as(name, value)
        context = _context(org_id, owner, field)
        opened[name] = _decrypted.get((*tuple(sorted(context.items())), blob), partial(_decrypt, context, blob))
    return opened


def _decrypt(context: dict[str, str], blob: str) -> str:
    result = client("kms").decrypt(CiphertextBlob=base64.b64decode(blob), EncryptionContext=context)
    return bytes(result["Plaintext"]).decode()


def clear_cache() -> None:
    _decrypted.clear()
