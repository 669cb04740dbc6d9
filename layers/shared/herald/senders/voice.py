"""Voice calls through AWS End User Messaging SMS and voice v2 (`pinpoint-sms-voice-v2` SendVoiceMessage).

The message is SSML (escaped text in `<speak>`, said twice) ≤ 6000 characters, read by `voiceId`
(config, default JOANNA), from the origination identity in HERALD_VOICE_ORIGINATION (a phone number,
its id or ARN, or a pool). moto has no backend for this API: the tests drive it with botocore's Stubber.
Throttling and internal errors are retried; validation, access, not-found, conflict (e.g. opted out)
and quota errors fail at once.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

from herald.aws import client
from herald.senders.base import Outcome, Target
from herald.senders.render import Notification, truncate_to_fit
from herald.senders.sms import is_e164
from herald.settings import get_settings

MAX_BODY = 6000
DEFAULT_VOICE = "JOANNA"
TRANSIENT_ERRORS = frozenset({"ThrottlingException", "InternalServerException", "Throttling", "ServiceUnavailable"})


def ssml(notification: Notification, limit: int = MAX_BODY) -> str:
    """`<speak>` with the spoken text twice (a call is easy to miss the first time), within `limit`."""
    spoken = notification.spoken_text()

    def build(words: str) -> str:
        said = escape(words)
        return f'<speak>{said}<break time="1s"/>I repeat. {said}</speak>'

    spoken = truncate_to_fit(spoken, lambda words: len(build(words)) <= limit) or ""
    return build(spoken)


def send(notification: Notification, target: Target) -> Outcome:
    number = target.config.get("phoneNumber", "").strip()
    if not is_e164(number):
        return Outcome.failed(f"phone number {number!r} is not in E.164 form (+<country><number>)")
    origination = get_settings().voice_origination
    if not origination:
        return Outcome.failed("voice calls are not configured (HERALD_VOICE_ORIGINATION is unset)")
    voice = (target.config.get("voiceId") or DEFAULT_VOICE).upper()
    api = client("pinpoint-sms-voice-v2")
    voices = api.meta.service_model.operation_model("SendVoiceMessage").input_shape.members["VoiceId"].enum
    if voice not in voices:
        return Outcome.failed(f"invalid voice request: unknown voiceId {voice!r}")
    try:
        response = api.send_voice_message(
            DestinationPhoneNumber=number,
            OriginationIdentity=origination,
            MessageBody=ssml(notification),
            MessageBodyTextType="SSML",
            VoiceId=voice,
        )
    except ParamValidationError as error:
        return Outcome.failed(f"invalid voice request: {error}")
    except EndpointConnectionError as error:
        return Outcome.retry(f"voice API unreachable: {error}")
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", ""))
        if code in TRANSIENT_ERRORS:
            return Outcome.retry(f"voice {code}: {message}")
        return Outcome.failed(f"voice {code}: {message}")
    return Outcome.delivered(f"voice message {response.get('MessageId', '')}")
