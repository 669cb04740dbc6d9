"""`herald`: operator commands against the local stack or AWS.

The endpoint comes from AWS_ENDPOINT_URL (the local stack: http://127.0.0.1:5000); the table from
HERALD_TABLE, else the `TableName` output of the CloudFormation stack (--stack, default "herald").
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from herald.auth.scopes import ALL_SCOPES
from herald.settings import DELIVERY_KINDS as _KINDS
from herald.templates import cli as templates_cli


def _table_name(stack: str) -> str:
    name = os.environ.get("HERALD_TABLE") or os.environ.get("TABLE_NAME")
    if name:
        return name
    import boto3

    outputs = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    for output in outputs:
        if output["OutputKey"] == "TableName":
            return str(output["OutputValue"])
    raise SystemExit(f"stack {stack} has no TableName output; set HERALD_TABLE")


def _configure(stack: str) -> None:
    os.environ["TABLE_NAME"] = _table_name(stack)
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "us-east-1"))


def keys_create(args: argparse.Namespace) -> int:
    _configure(args.stack)
    from herald.auth.keys import create_key
    from herald.data import orgs
    from herald.errors import HeraldError

    scopes = list(ALL_SCOPES) if args.scope == ["all"] else args.scope
    try:
        orgs.ensure(args.org)
        expires = None
        if args.expires_in_days is not None:
            import time

            expires = time.time() + args.expires_in_days * 86400
        token = args.token
        if args.routing_key:
            from herald.auth.keys import new_routing_key

            token = token or new_routing_key()
        token = create_key(args.org, scopes, name=args.name or "", token=token, expires_at=expires)
    except HeraldError as error:
        print(f"herald: {error.message}", file=sys.stderr)
        return 2
    print(token)
    return 0


def keys_list(args: argparse.Namespace) -> int:
    _configure(args.stack)
    from herald.auth.keys import list_keys

    rows = list_keys(args.org)
    print(f"{'ID':22} {'NAME':20} {'CREATED':25} {'LAST USED':25} {'STATE':8} SCOPES")
    for key in rows:
        state = "revoked" if key.revoked_at else ("expires" if key.expires_at else "active")
        print(
            f"{key.id:22} {key.name[:20]:20} {key.created_at:25} {key.last_used_at or '-':25} {state:8} "
            + ",".join(key.scopes)
        )
    return 0


def keys_revoke(args: argparse.Namespace) -> int:
    _configure(args.stack)
    from herald.auth.keys import revoke

    if not revoke(args.org, args.id):
        print(f"herald: no active key {args.id} in org {args.org}", file=sys.stderr)
        return 1
    print(f"revoked {args.id} (containers stop accepting it within the 60 s key cache)")
    return 0


def users_create(args: argparse.Namespace) -> int:
    """An OnCall user with the contact details its notification rules use (URLs and tokens sealed)."""
    _configure(args.stack)
    from pydantic import TypeAdapter, ValidationError

    from herald.data import orgs
    from herald.domain import oncall
    from herald.errors import HeraldError
    from herald.models.common import Email, TargetUrl

    try:
        TypeAdapter(Email).validate_python(args.email)
        for url in (args.slack_webhook, args.teams_webhook, args.webhook):
            if url:
                TypeAdapter(TargetUrl).validate_python(url)
        if args.phone and not re.fullmatch(r"\+[1-9][0-9]{6,14}", args.phone):
            raise ValueError("--phone must be in E.164 form, e.g. +14155550100")
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
    except (HeraldError, ValidationError, ValueError) as error:
        message = error.message if isinstance(error, HeraldError) else str(error).splitlines()[-1].strip()
        print(f"herald: {message}", file=sys.stderr)
        return 2
    print(user.id)
    return 0


def _queue_url(stack: str, logical_id: str) -> str:
    """A queue's URL: the CloudFormation stack's resource, else (the local stack) `<stack>-<LogicalId>`."""
    import boto3

    try:
        resource = boto3.client("cloudformation").describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
        return str(resource["StackResourceDetail"]["PhysicalResourceId"])
    except Exception:
        return str(boto3.client("sqs").get_queue_url(QueueName=f"{stack}-{logical_id}")["QueueUrl"])


def _queue_prefix(kind: str) -> str:
    return {"pagerduty": "PagerDuty"}.get(kind, kind.capitalize())


def _configure_queues(stack: str) -> None:
    from herald.settings import DELIVERY_KINDS, get_settings

    for kind in DELIVERY_KINDS:
        var = f"QUEUE_URL_{kind.upper()}"
        if not os.environ.get(var):
            os.environ[var] = _queue_url(stack, f"{_queue_prefix(kind)}Queue")
    get_settings.cache_clear()


def events_replay(args: argparse.Namespace) -> int:
    """Stored events back through routing; delivered destinations are never resent."""
    _configure(args.stack)
    _configure_queues(args.stack)
    from herald.domain import replay

    if args.id:
        items = replay.events_by_id(args.id, args.org)
    elif args.org and args.since and args.until:
        items = replay.events_between(args.org, args.since, args.until)
    else:
        print("herald: give --id EVT, or --org ORG --since T --until T", file=sys.stderr)
        return 2
    if not items:
        print("herald: no such events", file=sys.stderr)
        return 1
    report = replay.replay_events(items, resend_failed=args.resend_failed)
    print(f"replayed {report.events} events: {report.reset} failed deliveries reset, {report.queued} queued")
    for event_id in report.failed_events:
        print(f"herald: replay failed for {event_id}", file=sys.stderr)
    return 1 if report.failed_events else 0


def deliveries_redrive(args: argparse.Namespace) -> int:
    """Dead-letter messages back to their queues, their failed records reset to pending."""
    _configure(args.stack)
    from herald.domain import replay
    from herald.settings import DELIVERY_KINDS

    for kind in args.kind or DELIVERY_KINDS:
        prefix = _queue_prefix(kind)
        queue = os.environ.get(f"QUEUE_URL_{kind.upper()}") or _queue_url(args.stack, f"{prefix}Queue")
        report = replay.redrive(_queue_url(args.stack, f"{prefix}DeadLetterQueue"), queue)
        print(f"{kind}: {report.moved} moved ({report.reset} records reset), {report.dropped} already delivered")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="herald", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    root.add_argument("--stack", default=os.environ.get("HERALD_STACK", "herald"), help="CloudFormation stack name")
    commands = root.add_subparsers(dest="command", required=True)
    keys = commands.add_parser("keys", help="API keys").add_subparsers(dest="action", required=True)
    create = keys.add_parser("create", help="create a key; prints its token (shown once, stored only as a hash)")
    create.add_argument("--org", required=True, help="organization id (created when new)")
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=[*ALL_SCOPES, "all"],
        help="repeat for several scopes",
    )
    create.add_argument("--token", help="use this token instead of a generated one (≥ 16 characters)")
    create.add_argument("--name", help="a name to recognise the key by")
    create.add_argument(
        "--routing-key",
        action="store_true",
        help="mint the key in PagerDuty's 32-character routing key form (for POST /v2/enqueue)",
    )
    create.add_argument("--expires-in-days", type=float, help="the key stops working after this many days")
    create.set_defaults(run=keys_create)
    users = commands.add_parser("users", help="OnCall users").add_subparsers(dest="action", required=True)
    user = users.add_parser("create", help="create an OnCall user; prints its id")
    user.add_argument("--org", required=True, help="organization id (created when new)")
    user.add_argument("--email", required=True)
    user.add_argument("--username", help="default: the email's local part")
    user.add_argument("--role", default="editor", choices=["admin", "editor", "viewer", "none"])
    user.add_argument("--timezone", default="UTC")
    user.add_argument("--phone", help="E.164 number for notify_by_sms and notify_by_phone_call")
    user.add_argument("--telegram-chat-id", help="chat id for notify_by_telegram")
    user.add_argument("--telegram-bot-token", help="bot token for notify_by_telegram (sealed)")
    user.add_argument("--slack-webhook", help="Slack incoming webhook URL for notify_by_slack (sealed)")
    user.add_argument("--teams-webhook", help="Microsoft Teams webhook URL for notify_by_msteams (sealed)")
    user.add_argument("--webhook", help="URL for notify_by_webhook (sealed)")
    user.add_argument("--push-endpoint-arn", help="SNS mobile push endpoint for notify_by_mobile_app*")
    user.set_defaults(run=users_create)
    listing = keys.add_parser("list", help="list an org's keys (never their tokens)")
    listing.add_argument("--org", required=True)
    listing.set_defaults(run=keys_list)
    revoking = keys.add_parser("revoke", help="revoke a key by its id (key_…)")
    revoking.add_argument("--org", required=True)
    revoking.add_argument("--id", required=True)
    revoking.set_defaults(run=keys_revoke)
    events = commands.add_parser("events", help="stored events").add_subparsers(dest="action", required=True)
    replaying = events.add_parser("replay", help="re-run stored events through routing (never resends delivered)")
    replaying.add_argument("--id", action="append", help="event id (evt_…); repeat for several")
    replaying.add_argument("--org", help="organization id (required with --since/--until)")
    replaying.add_argument("--since", help="ISO 8601 UTC, e.g. 2026-11-23T10:00:00Z")
    replaying.add_argument("--until", help="ISO 8601 UTC, inclusive")
    replaying.add_argument(
        "--resend-failed", action="store_true", help="reset the events' failed deliveries to pending first"
    )
    replaying.set_defaults(run=events_replay)
    deliveries = commands.add_parser("deliveries", help="delivery queues").add_subparsers(dest="action", required=True)
    redriving = deliveries.add_parser("redrive", help="move dead-letter messages back to their queues")
    redriving.add_argument("--kind", action="append", choices=list(_KINDS), help="repeat for several (default: all)")
    redriving.set_defaults(run=deliveries_redrive)
    templates_cli.register(commands, _configure)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
