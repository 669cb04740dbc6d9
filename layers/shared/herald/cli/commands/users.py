"""`herald users create`: Grafana OnCall users with the contact details their notification rules use."""

from __future__ import annotations

import argparse
import re
from typing import Any

from herald.cli.context import Context, add_org, command
from herald.cli.failures import CliError

E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def create(args: argparse.Namespace, ctx: Context) -> int:
    from herald.data import orgs
    from herald.families.oncall import service as oncall
    from herald.models.common import Email, TargetUrl

    _check("--email", args.email, Email)
    for flag, url in (
        ("--slack-webhook", args.slack_webhook),
        ("--teams-webhook", args.teams_webhook),
        ("--webhook", args.webhook),
    ):
        if url:
            _check(flag, url, TargetUrl)
    if args.phone and not E164.fullmatch(args.phone):
        raise CliError("--phone must be in E.164 form, e.g. +14155550100", code=2)
    orgs.ensure(args.org)
    user = oncall.create_user(
        args.org,
        args.email,
        username=args.username,
        role=args.role,
        timezone=args.timezone,
        config={
            "phoneNumber": args.phone or "",
            "telegramChatId": args.telegram_chat_id or "",
            "pushEndpointArn": args.push_endpoint_arn or "",
        },
        secret_values={
            "slackWebhookUrl": args.slack_webhook or "",
            "teamsUrl": args.teams_webhook or "",
            "webhookUrl": args.webhook or "",
            "telegramToken": args.telegram_bot_token or "",
        },
    )
    ctx.out.created(
        user.id,
        {
            "id": user.id,
            "org": args.org,
            "email": user.email,
            "username": user.username,
            "role": user.role,
            "timezone": user.timezone,
            "contacts": sorted([*user.config, *user.sealed]),
        },
    )
    return 0


def _check(flag: str, value: str, kind: Any) -> None:
    """One argument against its API field type; a private URL names the stack's policy and how to allow it."""
    from pydantic import TypeAdapter, ValidationError

    from herald.cli.failures import private_target_hint
    from herald.netguard import TargetRefused

    try:
        TypeAdapter(kind).validate_python(value)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, TargetRefused):
            raise CliError(f"{flag} {value}: {private_target_hint(str(cause))}", code=2) from None
        raise CliError(f"{flag} {value}: {str(first['msg']).removeprefix('Value error, ')}", code=2) from None


def register(nouns: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verbs = nouns.add_parser("users", help="Grafana OnCall users", description=__doc__).add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    user = command(verbs, "create", create, "create an OnCall user and print its id (URLs and tokens are sealed)")
    add_org(user, "organization id (created when new)")
    user.add_argument("--email", required=True, help="the user's email (unique in the org); notify_by_email")
    user.add_argument("--username", help="default: the email's local part")
    user.add_argument(
        "--role", default="editor", choices=["admin", "editor", "viewer", "none"], help="OnCall role (default editor)"
    )
    user.add_argument("--timezone", default="UTC", help="IANA time zone shown by the users API (default UTC)")
    user.add_argument("--phone", help="E.164 number for notify_by_sms and notify_by_phone_call")
    user.add_argument("--telegram-chat-id", help="chat id for notify_by_telegram")
    user.add_argument("--telegram-bot-token", help="bot token for notify_by_telegram (sealed)")
    user.add_argument("--slack-webhook", metavar="URL", help="Slack incoming webhook for notify_by_slack (sealed)")
    user.add_argument("--teams-webhook", metavar="URL", help="Microsoft Teams webhook for notify_by_msteams (sealed)")
    user.add_argument("--webhook", metavar="URL", help="URL for notify_by_webhook (sealed)")
    user.add_argument("--push-endpoint-arn", metavar="ARN", help="SNS mobile push endpoint for notify_by_mobile_app*")
