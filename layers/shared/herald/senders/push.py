"""OnCall mobile-app push through an SNS platform endpoint (`endpointArn`), critical or not.

The message is SNS's per-platform JSON (`MessageStructure=json`): FCM (`GCM`) and APNs (`APNS`, a sound
for critical pages). Throttling and SNS-side errors are retried; a disabled or unknown endpoint fails.
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError, EndpointConnectionError

from herald.aws import client
from herald.senders.base import Outcome, Target
from herald.senders.render import Notification
from herald.senders.sms import TRANSIENT_SNS_ERRORS


def message(notification: Notification, critical: bool) -> str:
    title, body = notification.headline, notification.message or notification.summary
    aps: dict[str, object] = {"alert": {"title": title, "body": body}}
    if critical:
        aps["sound"] = {"critical": 1, "name": "default", "volume": 1.0}
    return json.dumps(
        {
            "default": f"{title}: {body}",
            "GCM": json.dumps(
                {"notification": {"title": title, "body": body}, "priority": "high" if critical else "normal"}
            ),
            "APNS": json.dumps({"aps": aps}),
        }
    )


def send(notification: Notification, target: Target) -> Outcome:
    arn = target.config.get("endpointArn", "")
    if not arn:
        return Outcome.failed("the user has no mobile app (no SNS mobile push endpoint)")
    critical = target.config.get("critical", "").lower() == "true"
    try:
        response = client("sns").publish(
            TargetArn=arn, Message=message(notification, critical), MessageStructure="json"
        )
    except EndpointConnectionError as error:
        return Outcome.retry(f"SNS unreachable: {error}")
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        text = str(error.response.get("Error", {}).get("Message", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in TRANSIENT_SNS_ERRORS or status >= 500 or status == 429:
            return Outcome.retry(f"SNS {code}: {text}")
        return Outcome.failed(f"SNS {code}: {text}")
    return Outcome.delivered(f"SNS message {response.get('MessageId', '')}")
