"""`herald deliveries list|show|redrive`: delivery records across orgs, and dead letters back to work."""

from __future__ import annotations

import argparse
from typing import Any

from herald.cli.commands.events import events_in
from herald.cli.context import Context, add_org, command
from herald.cli.failures import CliError
from herald.cli.moments import HELP as TIME_HELP
from herald.cli.moments import moment
from herald.settings import DELIVERY_KINDS

STATUSES = ("pending", "delivered", "failed", "skipped")
COLUMNS = [
    ("DELIVERY", "id"),
    ("EVENT", "eventId"),
    ("ORG", "orgId"),
    ("KIND", "kind"),
    ("DESTINATION", "destination"),
    ("STATUS", "status"),
    ("ATTEMPTS", "attempts"),
    ("UPDATED", "updatedAt"),
    ("LAST ERROR", "lastError"),
]
HIDDEN = ("config", "sealed", "message", "pk", "sk", "gsi1pk", "gsi1sk", "leaseUntil", "paceSlot")


def delivery_row(item: dict[str, Any]) -> dict[str, Any]:
    """A record as the operator reads it: never its message snapshot or sealed secrets."""
    row = {key: value for key, value in item.items() if key not in HIDDEN}
    row["destination"] = f"{item.get('family')}:{item.get('destinationName') or item.get('destinationId')}"
    return row


def _deliveries_of(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from herald.data import events as repo

    return [item for event in events for item in repo.read_partition(str(event["id"])).deliveries]


def listing(args: argparse.Namespace, ctx: Context) -> int:
    records = _deliveries_of(events_in(args.org, args.since, args.until or moment("now")))
    wanted = [
        item
        for item in records
        if (not args.status or item.get("status") in args.status) and (not args.kind or item.get("kind") in args.kind)
    ]
    wanted.sort(key=lambda item: str(item.get("updatedAt")), reverse=True)
    ctx.out.table([delivery_row(item) for item in wanted[: args.limit]], COLUMNS, empty="no deliveries match")
    return 0


def show(args: argparse.Namespace, ctx: Context) -> int:
    from herald.data import table_keys
    from herald.data.table import table

    if args.event:
        item = table().get_item(Key=table_keys.delivery(args.event, args.id), ConsistentRead=True).get("Item")
    else:
        found = [d for d in _deliveries_of(events_in(None, args.since, moment("now"))) if d.get("id") == args.id]
        item = found[0] if found else None
    if not item:
        where = f"event {args.event}" if args.event else f"events since {args.since}"
        raise CliError(f"no delivery {args.id} in {where} (pass --event EVT, or an earlier --since)")
    from herald.delivery import sources

    item = sources.as_sent(dict(item))
    row = delivery_row(dict(item)) | {
        "secrets": sorted(item.get("sealed") or {}),
        "settings": sorted(item.get("config") or {}),
        "messageTitle": (item.get("message") or {}).get("title"),
    }
    fields = [(key, key) for key in row if key not in ("type",)]
    ctx.out.record(row, fields)
    return 0


def _kinds(args: argparse.Namespace) -> list[str]:
    return list(dict.fromkeys(args.kind or DELIVERY_KINDS))


def redrive(args: argparse.Namespace, ctx: Context) -> int:
    from herald.cli.connection import queue_logical_prefix
    from herald.cli.queues_depth import depth
    from herald.domain import replay

    plan = []
    for kind in _kinds(args):
        prefix = queue_logical_prefix(kind)
        dead = ctx.target.queue_url(f"{prefix}DeadLetterQueue")
        plan.append((kind, dead, ctx.target.queue_url(f"{prefix}Queue"), depth(dead).total))
    if args.dry_run:
        rows = [{"kind": kind, "waiting": waiting} for kind, _, _, waiting in plan]
        if ctx.out.json:
            ctx.out.emit_json({"dryRun": True, "queues": rows})
        else:
            ctx.out.table(rows, [("KIND", "kind"), ("DEAD LETTERS", "waiting")])
            waiting = sum(count for *_, count in plan)
            print(f"dry run: {waiting} messages would be moved back; nothing changed")
        return 0
    results = []
    with ctx.out.progress("redriving dead letters", sum(waiting for *_, waiting in plan)) as advance:
        for kind, dead, main, _ in plan:
            report = replay.redrive(dead, main)
            advance(report.moved + report.dropped)
            results.append({"kind": kind, **report.__dict__})
    if ctx.out.json:
        ctx.out.emit_json(results)
    else:
        ctx.out.table(
            results,
            [("KIND", "kind"), ("MOVED", "moved"), ("RECORDS RESET", "reset"), ("ALREADY DELIVERED", "dropped")],
        )
    return 0


def register(nouns: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verbs = nouns.add_parser("deliveries", help="delivery records and queues", description=__doc__).add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    listed = command(
        verbs,
        "list",
        listing,
        "list deliveries of the events in a window, across every org unless --org (latest change first)",
    )
    listed.add_argument(
        "--status", action="append", choices=STATUSES, help="only this status; repeat for several (default: all)"
    )
    listed.add_argument(
        "--kind", action="append", choices=DELIVERY_KINDS, help="only this delivery kind; repeat for several"
    )
    add_org(listed, "only this organization's deliveries", required=False)
    listed.add_argument(
        "--since", type=moment, default="24h", help=f"events created from (default 24h ago): {TIME_HELP}"
    )
    listed.add_argument("--until", type=moment, help=f"events created until (default now): {TIME_HELP}")
    listed.add_argument("--limit", type=int, default=100, help="at most this many deliveries (default 100)")

    shown = command(verbs, "show", show, "one delivery record: status, attempts, last error (never its secrets)")
    shown.add_argument("id", metavar="ID", help="the delivery id (dlv_…) as `deliveries list` shows it")
    shown.add_argument("--event", metavar="EVT", help="its event id: one read instead of a search")
    shown.add_argument(
        "--since", type=moment, default="7d", help=f"without --event, search events from (default 7d): {TIME_HELP}"
    )

    redriving = command(verbs, "redrive", redrive, "move dead-letter messages back to their queues")
    redriving.add_argument("--kind", action="append", choices=DELIVERY_KINDS, help="repeat for several (default: all)")
    redriving.add_argument("--dry-run", action="store_true", help="count the dead letters; move nothing")
