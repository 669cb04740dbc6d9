"""The console's "send test": one real send to a destination, worded by its template as a delivery would be."""

from __future__ import annotations

from herald import clock, ids, secrets
from herald.domain import destination_refs
from herald.errors import ValidationFailed
from herald.observability import logger
from herald.senders.base import Outcome, Target
from herald.senders.registry import ADAPTERS
from herald.senders.render import Notification
from herald.templates import apply as templates


def test_notification() -> Notification:
    return Notification(
        id="test",
        status="triggered",
        severity="info",
        title="Test notification",
        message="Someone is testing this destination from the Herald console.",
        created_at=clock.iso(),
        labels={"source": "herald-console"},
    )


def send_test(org_id: str, ref: str) -> Outcome:
    destination = destination_refs.resolve(org_id, ref)
    adapter = ADAPTERS.get(destination.kind)
    if adapter is None:
        raise ValidationFailed(f"{ref} has no delivery kind Herald can send to")
    target = Target(f"test_{ids.random_alnum(20)}", destination.config, secrets.unseal(org_id, destination.sealed))
    destination_id = destination.match.split(":", 1)[1]
    notification = templates.customize(
        test_notification(), org_id, destination.kind, destination.family, destination_id, destination.name
    )
    try:
        return adapter(notification, target)
    except Exception as error:
        logger.exception("console test send raised", extra={"ref": ref})
        return Outcome.failed(f"{type(error).__name__}: {error}")
