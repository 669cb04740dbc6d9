"""Daily send quotas and the recipients cap of email, SMS and voice (issue 15, item 5).

These kinds spend quotas the whole AWS account shares (SES sending quota, SNS SMS spend, call minutes), so
each org has its own share per UTC day (herald.limits). A send over quota, or to more recipients than one
send may have, ends `failed` at once with the reason: never queued again, never retried. The count is
spent before the send (as SES counts every recipient of a message it accepts), so a retried attempt
spends again.
"""

from __future__ import annotations

from herald import clock
from herald.data import limits
from herald.limits import DAILY_QUOTAS
from herald.senders.base import Outcome, Target

QUOTA_EXCEEDED = "quota exceeded"


def refused(org_id: str, kind: str, target: Target) -> Outcome | None:
    """None when the send may go (its quota spent); else the failed outcome that says why."""
    quota_name = DAILY_QUOTAS.get(kind)
    if quota_name is None:
        return None
    effective = limits.effective(org_id)
    recipients = 1
    if kind == "email":
        from herald.senders import email  # only when an email goes: the delivery function starts without it

        recipients = len(email.recipients(target.config))
    most = effective["recipients-per-send"]
    if recipients > most:
        return Outcome.failed(f"too many recipients: {recipients}, one send may have at most {most}")
    day = today()
    expires = int(clock.epoch()) + limits.QUOTA_TTL_SECONDS
    if not limits.spend(org_id, kind, day, recipients, effective[quota_name], expires):
        return Outcome.failed(f"{QUOTA_EXCEEDED}: the org's {quota_name} quota is {effective[quota_name]} ({day}, UTC)")
    return None


def today() -> str:
    """The UTC day a quota counts in."""
    return clock.now().strftime("%Y-%m-%d")
