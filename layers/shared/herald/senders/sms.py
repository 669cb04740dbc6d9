"""SMS through SNS Publish to a phone number: E.164 validated, plain text ≤ 1600 characters, Transactional.

Throttling and SNS-side errors are retried; an invalid number, parameter or permission fails at once.
"""

from __future__ import annotations

import re

from botocore.exceptions import ClientError, EndpointConnectionError

from herald.aws import client
from herald.senders.base import Outcome, Target
from herald.senders.render import Notification, truncate

MAX_TEXT = 1600  # SNS refuses a single SMS Publish over 1,600 characters
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
TRANSIENT_SNS_ERRORS = frozenset(
    {"Throttling", "ThrottlingException", "ThrottledException", "InternalError", "InternalFailure", "KMSThrottling"}
)


def is_e164(number: str) -> bool:
    return E164.fullmatch(number) is not None  # fullmatch: `$` alone would accept a trailing newline


def text(notification: Notification) -> str:
    return truncate(notification.short_text(), MAX_TEXT)


def send(notification: Notification, target: Target) -> Outcome:
    number = target.config.get("phoneNumber", "").strip()
    if not is_e164(number):
        return Outcome.failed(f"phone number {number!r} is not in E.164 form (+<country><number>)")
    attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
    if target.config.get("senderId"):
        attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": target.config["senderId"]}
    try:
        response = client("sns").publish(PhoneNumber=number, Message=text(notification), MessageAttributes=attributes)
    except EndpointConnectionError as error:
        return Outcome.retry(f"SNS unreachable: {error}")
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in TRANSIENT_SNS_ERRORS or status >= 500 or status == 429:
            return Outcome.retry(f"SNS {code}: {message}")
        return Outcome.failed(f"SNS {code}: {message}")
    return Outcome.delivered(f"SNS message {response.get('MessageId', '')}")
