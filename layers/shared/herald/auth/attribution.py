"""Who made an API request, written where the API access log can be joined with it.

An HTTP API access log can print only `$context` variables, and Herald authenticates in the functions (no
Lambda authorizer fills `$context.authorizer.*`), so the key and the org cannot be in the access log line
itself. Instead each authenticated request logs one `request attributed` line with `keyId` and `orgId`, and
those keys stay on the request's later lines. Powertools adds `correlation_id`, which is the request's
`$context.requestId`: the access log's `requestId` (docs/security.md shows the Logs Insights join).
"""

from __future__ import annotations

from herald.auth.api_keys import Principal
from herald.observability import logger

KEYS = ("keyId", "orgId")


def attribute(principal: Principal) -> None:
    logger.append_keys(keyId=principal.key_id or principal.key_name, orgId=principal.org_id)
    logger.info("request attributed")


def forget() -> None:
    """A warm container keeps appended keys: each request starts unattributed."""
    logger.remove_keys(list(KEYS))
