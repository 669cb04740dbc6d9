"""Organizations (the tenant of every family)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from herald import clock
from herald.data import keys
from herald.data.table import is_conditional_failure, table


def ensure(org_id: str, name: str = "") -> bool:
    """Creates the org when it does not exist yet; True when it was created."""
    try:
        table().put_item(
            Item={
                **keys.org(org_id),
                "type": "org",
                "id": org_id,
                "name": name or org_id,
                "createdAt": clock.iso(),
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        return True
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise
