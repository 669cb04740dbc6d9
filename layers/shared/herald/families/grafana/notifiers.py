"""Grafana legacy notifier types Herald delivers: per type, its delivery kind, the settings it honours,
the settings that are secrets, Grafana's checks with Grafana's reasons, and the adapter config.

Every setting a channel stores takes effect at delivery; a setting Herald cannot honour is refused with
a 400 naming it, never stored and ignored. Types that post a product's own body travel the `webhook`
kind with a body `format` (herald.senders.formats), so no type needs a queue of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from herald.errors import ValidationFailed
from herald.models.common import Email
from herald.netguard import check_saved_url

MAX_URL_LENGTH = 2048
PAGERDUTY_SEVERITIES = frozenset({"critical", "error", "warning", "info"})
# Settings that only ever do something with panel images, which Herald does not render: accepted off.
IMAGE_SETTINGS = frozenset({"uploadImage"})
# URL settings of pictures the receiver fetches: no secret goes there (the others are where a channel sends).
PICTURE_URLS = frozenset({"icon_url", "avatar_url"})
_SLACK_RECIPIENT = re.compile(r"^((@[a-z0-9][a-zA-Z0-9._-]*)|(#[^ .A-Z]{1,79})|([a-zA-Z0-9]+))$")
_EMAIL_SPLIT = re.compile(r"[;,\n]")
_EMAIL: TypeAdapter[str] = TypeAdapter(Email)


def invalid(reason: str) -> ValidationFailed:
    return ValidationFailed(f"alert validation error: {reason}")


def split_addresses(value: str) -> list[str]:
    return [part.strip() for part in _EMAIL_SPLIT.split(value) if part.strip()]


@dataclass(frozen=True)
class Values:
    """A channel's settings while it is checked: plain settings and which secret settings it has."""

    plain: dict[str, Any]
    secret_keys: set[str]

    def text(self, key: str) -> str:
        value = self.plain.get(key)
        return value.strip() if isinstance(value, str) else ""

    def has(self, key: str) -> bool:
        return key in self.secret_keys or bool(self.text(key))


Check = Callable[[Values], None]


@dataclass(frozen=True)
class Notifier:
    kind: str  # the delivery kind (and queue) that sends it
    secrets: dict[str, str] = field(default_factory=dict)  # Grafana setting → adapter secret name
    settings: frozenset[str] = frozenset()  # plain settings it honours
    required: tuple[tuple[str, str], ...] = ()  # (setting, Grafana's reason when missing)
    urls: frozenset[str] = frozenset()  # settings holding URLs: checked against Herald's target rules
    flags: frozenset[str] = frozenset()  # boolean settings
    choices: dict[str, frozenset[str]] = field(default_factory=dict)
    format: str = ""  # body format for the webhook kind
    aliases: dict[str, str] = field(default_factory=dict)  # setting → the adapter's config name
    check: Check | None = None

    @property
    def sends_to(self) -> frozenset[str]:
        """The URL settings the channel's sends (and their secrets) go to."""
        return self.urls - PICTURE_URLS

    @property
    def accepted(self) -> frozenset[str]:
        return self.settings | frozenset(self.secrets) | IMAGE_SETTINGS


def _check_email(values: Values) -> None:
    addresses = split_addresses(values.text("addresses"))
    if not addresses:
        raise invalid("Could not find addresses in settings")
    for address in addresses:
        try:
            _EMAIL.validate_python(address)
        except ValueError:
            raise invalid(f"Invalid email address: {address}") from None


def _check_slack(values: Values) -> None:
    if not values.has("url") and not values.has("token"):
        raise invalid("Could not find url property in settings")
    recipient = values.text("recipient")
    if recipient and not _SLACK_RECIPIENT.match(recipient):
        raise invalid(f'recipient on invalid format: "{recipient}"')
    if not values.has("url") and not recipient:
        raise invalid("recipient must be specified when using token")


def _check_threema(values: Values) -> None:
    gateway, recipient = values.text("gateway_id"), values.text("recipient_id")
    if not gateway.startswith("*"):
        raise invalid("Invalid Threema Gateway ID: Must start with a *")
    if len(gateway) != 8:
        raise invalid("Invalid Threema Gateway ID: Must be 8 characters long")
    if len(recipient) != 8:
        raise invalid("Invalid Threema Recipient ID: Must be 8 characters long")


def _check_pushover(values: Values) -> None:
    for key in ("priority", "okPriority", "retry", "expire"):
        text = values.text(key) if not isinstance(values.plain.get(key), int) else str(values.plain[key])
        if text and not text.lstrip("-").isdigit():
            raise invalid(f"failed to convert {key} to integer")


PUSHOVER_SOUNDS = frozenset(
    [
        "default",
        "pushover",
        "bike",
        "bugle",
        "cashregister",
        "classical",
        "cosmic",
        "falling",
        "gamelan",
        "incoming",
        "intermission",
        "magic",
        "mechanical",
        "pianobar",
        "siren",
        "spacealarm",
        "tugboat",
        "alien",
        "climb",
        "persistent",
        "echo",
        "updown",
        "none",
    ]
)

NOTIFIERS: dict[str, Notifier] = {
    "email": Notifier(
        "email", settings=frozenset({"addresses", "singleEmail"}), flags=frozenset({"singleEmail"}), check=_check_email
    ),
    "slack": Notifier(
        "slack",
        secrets={"url": "webhookUrl", "token": "token"},
        settings=frozenset(
            {"recipient", "username", "icon_emoji", "icon_url", "mentionUsers", "mentionGroups", "mentionChannel"}
        ),
        urls=frozenset({"url", "icon_url"}),
        choices={"mentionChannel": frozenset({"", "here", "channel"})},
        aliases={"recipient": "channel"},
        check=_check_slack,
    ),
    "webhook": Notifier(
        "webhook",
        secrets={"url": "url", "password": "password"},
        settings=frozenset({"httpMethod", "username"}),
        required=(("url", "Could not find url property in settings"),),
        urls=frozenset({"url"}),
        choices={"httpMethod": frozenset({"", "POST", "PUT"})},
        format="grafana-webhook",
    ),
    "discord": Notifier(
        "discord",
        secrets={"url": "webhookUrl"},
        settings=frozenset({"content", "avatar_url", "use_discord_username"}),
        required=(("url", "Could not find webhook url property in settings"),),
        urls=frozenset({"url", "avatar_url"}),
        flags=frozenset({"use_discord_username"}),
        aliases={"avatar_url": "avatarUrl"},
    ),
    "teams": Notifier(
        "teams",
        secrets={"url": "url"},
        required=(("url", "Could not find url property in settings"),),
        urls=frozenset({"url"}),
    ),
    "telegram": Notifier(
        "telegram",
        secrets={"bottoken": "token"},
        settings=frozenset({"chatid"}),
        required=(
            ("bottoken", "Could not find Bot Token in settings"),
            ("chatid", "Could not find Chat Id in settings"),
        ),
        aliases={"chatid": "chatId"},
    ),
    "pagerduty": Notifier(
        "pagerduty",
        secrets={"integrationKey": "routingKey"},
        settings=frozenset({"severity", "autoResolve"}),
        required=(("integrationKey", "Could not find integration key property in settings"),),
        flags=frozenset({"autoResolve"}),
        choices={"severity": frozenset({""} | PAGERDUTY_SEVERITIES)},
    ),
    "opsgenie": Notifier(
        "webhook",
        secrets={"apiKey": "apiKey"},
        settings=frozenset({"apiUrl", "autoClose", "overridePriority", "sendTagsAs"}),
        required=(("apiKey", "Could not find api key property in settings"),),
        urls=frozenset({"apiUrl"}),
        flags=frozenset({"autoClose", "overridePriority"}),
        choices={"sendTagsAs": frozenset({"", "tags", "details", "both"})},
        format="opsgenie",
    ),
    "victorops": Notifier(
        "webhook",
        secrets={"url": "url"},
        settings=frozenset({"autoResolve"}),
        required=(("url", "Could not find victorops url property in settings"),),
        urls=frozenset({"url"}),
        flags=frozenset({"autoResolve"}),
        format="victorops",
    ),
    "pushover": Notifier(
        "webhook",
        secrets={"apiToken": "apiToken", "userKey": "userKey"},
        settings=frozenset({"device", "priority", "okPriority", "retry", "expire", "sound", "okSound"}),
        required=(("userKey", "User key not given"), ("apiToken", "API token not given")),
        choices={"sound": PUSHOVER_SOUNDS | {""}, "okSound": PUSHOVER_SOUNDS | {""}},
        format="pushover",
        check=_check_pushover,
    ),
    "googlechat": Notifier(
        "webhook",
        secrets={"url": "url"},
        required=(("url", "Could not find url property in settings"),),
        urls=frozenset({"url"}),
        format="googlechat",
    ),
    "sensu": Notifier(
        "webhook",
        secrets={"url": "url", "password": "password"},
        settings=frozenset({"source", "handler", "username"}),
        required=(("url", "Could not find url property in settings"),),
        urls=frozenset({"url"}),
        format="sensu",
    ),
    "threema": Notifier(
        "webhook",
        secrets={"api_secret": "api_secret"},
        settings=frozenset({"gateway_id", "recipient_id"}),
        required=(
            ("gateway_id", "Could not find Threema Gateway ID in settings"),
            ("recipient_id", "Could not find Threema Recipient ID in settings"),
            ("api_secret", "Could not find Threema API secret in settings"),
        ),
        format="threema",
        check=_check_threema,
    ),
    "LINE": Notifier(
        "webhook", secrets={"token": "token"}, required=(("token", "Could not find token in settings"),), format="line"
    ),
    "kafka": Notifier(
        "webhook",
        secrets={"kafkaRestProxy": "url"},
        settings=frozenset({"kafkaTopic"}),
        required=(
            ("kafkaRestProxy", "Could not find kafka rest proxy endpoint property in settings"),
            ("kafkaTopic", "Could not find kafka topic property in settings"),
        ),
        urls=frozenset({"kafkaRestProxy"}),
        format="kafka",
    ),
    "prometheus-alertmanager": Notifier(
        "webhook",
        secrets={"url": "url", "basicAuthPassword": "basicAuthPassword"},
        settings=frozenset({"basicAuthUser"}),
        required=(("url", "Could not find url property in settings"),),
        urls=frozenset({"url"}),
        format="prometheus-alertmanager",
    ),
    "dingding": Notifier(
        "webhook",
        secrets={"url": "url"},
        settings=frozenset({"msgType"}),
        required=(("url", "Could not find url property in settings"),),
        urls=frozenset({"url"}),
        choices={"msgType": frozenset({"", "link", "actionCard"})},
        format="dingding",
    ),
}
NOTIFIERS["line"] = NOTIFIERS["LINE"]  # Grafana registers "LINE"; the lower-case spelling is accepted too


def notifier(kind: str) -> Notifier:
    found = NOTIFIERS.get(kind)
    if found is None:
        raise invalid("Unsupported notification type")
    return found


def _flag(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid(f"Invalid {key} property in settings: must be true or false")


def check_url(key: str, value: str, several: bool = False) -> str:
    """Herald's target rules (no private or loopback targets), which guard its network: kept stricter
    than Grafana. `several`: a comma-separated list (Alertmanager URLs)."""
    if len(value) > MAX_URL_LENGTH:
        raise invalid(f"Invalid {key} property in settings: longer than 2048 characters")
    for part in value.split(",") if several else [value]:
        if not part.strip():
            continue
        try:
            check_saved_url(part.strip())
        except ValueError as error:  # TargetRefused is a ValueError too
            raise invalid(f"Invalid {key} property in settings: {error}") from None
    return value


def validate(kind: str, plain: dict[str, Any], secret_keys: set[str], new_secrets: dict[str, str]) -> None:
    """Grafana's checks for one notifier, plus Herald's: no setting it cannot honour."""
    spec = notifier(kind)
    unknown = sorted(k for k in plain if k not in spec.accepted)
    if unknown:
        raise invalid(f"Unsupported setting(s) for {kind}: {', '.join(unknown)} (Herald would not use them)")
    for key in IMAGE_SETTINGS & set(plain):
        if _flag(key, plain[key]):
            raise invalid(f"{key} is not supported: Herald sends no panel images")
    for key in spec.flags & set(plain):
        _flag(key, plain[key])
    for key, allowed in spec.choices.items():
        value = plain.get(key, "")
        if isinstance(value, str) and value.strip() in allowed:
            continue
        if key == "severity":
            raise invalid(f"Invalid severity {value}: must be critical, error, warning or info")
        if key == "httpMethod":
            method = value.strip().upper() if isinstance(value, str) else value
            if method in allowed:
                continue
            raise invalid(f"Invalid httpMethod {method}: must be POST or PUT")
        raise invalid(f"Invalid {key} {value}: must be one of {', '.join(sorted(a for a in allowed if a))}")
    values = Values(plain, secret_keys)
    for key, reason in spec.required:
        if not values.has(key):
            raise invalid(reason)
    for key in spec.urls:
        value = new_secrets.get(key) or values.text(key)
        if value:
            check_url(key, value, several=kind == "prometheus-alertmanager")
    if spec.check:
        spec.check(values)


def _config_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.strip() if isinstance(value, str) else str(value)


def _slack_mention(plain: dict[str, Any]) -> str:
    def ids(key: str) -> list[str]:
        value = plain.get(key)
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else []

    parts = [f"<@{user}>" for user in ids("mentionUsers")]
    parts += [f"<!subteam^{group}>" for group in ids("mentionGroups")]
    channel = plain.get("mentionChannel")
    if channel in ("here", "channel"):
        parts.append(f"<!{channel}>")
    return " ".join(parts)


def adapter_config(kind: str, plain: dict[str, Any]) -> dict[str, str]:
    """The adapter's plain config from a channel's validated plain settings: Grafana's names (or the
    adapter's, where they differ), booleans as "true"/"false", the body format for the webhook kind."""
    spec = NOTIFIERS.get(kind)
    if spec is None:
        return {}
    config = {
        spec.aliases.get(key, key): _config_value(value)
        for key, value in plain.items()
        if key in spec.settings and _config_value(value) != ""
    }
    if kind == "email":
        config["addresses"] = ",".join(split_addresses(str(plain.get("addresses", ""))))
        config["singleEmail"] = config.get("singleEmail", "false")
    if kind == "webhook":
        config["httpMethod"] = config.get("httpMethod", "POST").upper()
    if kind == "discord":
        config.setdefault("use_discord_username", "false")  # Grafana: posts as "Grafana" unless told not to
    if kind == "slack" and _slack_mention(plain):
        config["mention"] = _slack_mention(plain)
    if spec.format:
        config["format"] = spec.format
    return config
