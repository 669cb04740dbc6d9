"""The org and key that the sample events in events/ present (`sam local invoke`, `herald-local invoke`)."""

from __future__ import annotations

SAMPLE_ORG = "0123456789abcdef"
SAMPLE_TOKEN = "hrld_sample-token-for-sam-local-invoke"  # noqa: S105 - a published sample, valid only locally


def ensure_sample_key() -> None:
    """The sample org with an all-scope key for the sample token, unless that key exists already."""
    from herald.auth.api_keys import create_key, token_hash
    from herald.auth.scopes import ALL_SCOPES
    from herald.data import orgs, table_keys
    from herald.data.table import table

    orgs.ensure(SAMPLE_ORG, name="samples")
    if not table().get_item(Key=table_keys.api_key(token_hash(SAMPLE_TOKEN))).get("Item"):
        create_key(SAMPLE_ORG, list(ALL_SCOPES), name="samples", token=SAMPLE_TOKEN)
