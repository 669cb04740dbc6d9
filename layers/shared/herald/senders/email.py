"""Email through SES: subject with the destination's prefix, text and HTML bodies."""

from __future__ import annotations

from botocore.exceptions import ClientError, EndpointConnectionError

from herald.aws import client
from herald.senders.base import Outcome, Target
from herald.senders.render import Notification, truncate
from herald.settings import get_settings

TRANSIENT_SES_ERRORS = frozenset({"Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure"})


def subject(notification: Notification, config: dict[str, str]) -> str:
    prefix = config.get("subjectPrefix", "").strip()
    return truncate(f"{prefix} {notification.headline}".strip(), 998)


def recipients(config: dict[str, str]) -> list[str]:
    raw = config.get("email") or config.get("addresses") or ""
    return [a.strip() for a in raw.replace(";", ",").replace("\n", ",").split(",") if a.strip()]


def send(notification: Notification, target: Target) -> Outcome:
    to = recipients(target.config)
    if not to:
        return Outcome.failed("no recipient address")
    if target.config.get("singleEmail") == "false":  # Grafana's default: one email per address
        outcomes = [_send(notification, target, [address]) for address in to[:50]]
        failed = [o for o in outcomes if o.result != "delivered"]
        return failed[0] if failed else outcomes[0]
    return _send(notification, target, to)


def _send(notification: Notification, target: Target, to: list[str]) -> Outcome:
    try:
        response = client("ses").send_email(
            Source=get_settings().email_from,
            Destination={"ToAddresses": to[:50]},
            Message={
                "Subject": {"Data": subject(notification, target.config), "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": notification.text_body(), "Charset": "UTF-8"},
                    "Html": {"Data": notification.html_body(), "Charset": "UTF-8"},
                },
            },
        )
    except EndpointConnectionError as error:
        return Outcome.retry(f"SES unreachable: {error}")
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", ""))
        if code in TRANSIENT_SES_ERRORS:
            return Outcome.retry(f"SES {code}: {message}")
        return Outcome.failed(f"SES {code}: {message}")
    return Outcome.delivered(f"SES message {response.get('MessageId', '')}")
