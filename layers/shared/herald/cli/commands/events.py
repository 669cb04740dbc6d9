"""`herald events list|show|replay`: stored events, their deliveries, and replays through routing."""

from __future__ import annotations

import argparse
from typing import Any

from herald.cli.context import Context, add_org, command
from herald.cli.failures import CliError
from herald.cli.moments import HELP as TIME_HELP
from herald.cli.moments import moment

EVENT_COLUMNS = [
    ("ID", "id"),
    ("ORG", "orgId"),
    ("CREATED", "createdAt"),
    ("STATUS", "status"),
    ("SEVERITY", "severity"),
    ("MONITOR/SERVICE", "subject"),
    ("TITLE", "title"),
]
DELIVERY_COLUMNS = [
    ("DELIVERY", "id"),
    ("KIND", "kind"),
    ("DESTINATION", "destination"),
    ("STATUS", "status"),
    ("ATTEMPTS", "attempts"),
    ("UPDATED", "updatedAt"),
    ("LAST ERROR", "lastError"),
]


def events_in(org: str | None, since: str, until: str) -> list[dict[str, Any]]:
    """Events created in [since, until], oldest first: one org's, or every org's (one Query per org)."""
    from herald.data import events as repo
    from herald.data import orgs

    org_ids = [org] if org else [str(item["id"]) for item in orgs.list_all()]
    found = [item for org_id in org_ids for item in repo.between(org_id, since, until)]
    return sorted(found, key=lambda item: (str(item.get("createdAt")), str(item.get("id"))))


def event_row(item: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "orgId", "createdAt", "status", "severity", "title", "monitorId", "service", "dedupKey", "source")
    row = {key: item.get(key) for key in keep if item.get(key) is not None}
    row["subject"] = item.get("monitorId") or item.get("service")
    return row


def listing(args: argparse.Namespace, ctx: Context) -> int:
    items = events_in(args.org, args.since, args.until or moment("now"))
    rows = [event_row(item) for item in reversed(items)][: args.limit]
    ctx.out.table(rows, EVENT_COLUMNS, empty="no events in that window")
    return 0


def show(args: argparse.Namespace, ctx: Context) -> int:
    from herald.data import events as repo
    from herald.domain.events import view

    partition = repo.read_partition(args.id)
    if partition.event is None:
        raise CliError(f"no event {args.id}")
    org_id = str(partition.event["orgId"])
    data = {"orgId": org_id, **view(org_id, partition).model_dump(mode="json")}
    if ctx.out.json:
        ctx.out.emit_json(data)
        return 0
    ctx.out.record(
        event_row(partition.event) | {"message": data.get("message"), "url": data.get("url")},
        [
            ("id", "id"),
            ("org", "orgId"),
            ("created", "createdAt"),
            ("status", "status"),
            ("severity", "severity"),
            ("monitor/service", "subject"),
            ("dedupKey", "dedupKey"),
            ("title", "title"),
            ("message", "message"),
            ("url", "url"),
        ],
    )
    print()
    rows = [
        {
            **delivery,
            "kind": delivery["destination"]["kind"],
            "destination": f"{delivery['destination']['family']}:{delivery['destination']['name']}",
        }
        for delivery in data["deliveries"]
    ]
    ctx.out.table(rows, DELIVERY_COLUMNS, empty="no deliveries")
    if data.get("escalations"):
        print(f"\n{len(data['escalations'])} OnCall escalation(s): `--output json` shows their steps")
    return 0


def replay(args: argparse.Namespace, ctx: Context) -> int:
    from herald.domain import replay as replays

    if args.id:
        items = replays.events_by_id(args.id, args.org)
        missing = sorted(set(args.id) - {str(item["id"]) for item in items})
        if missing:
            raise CliError(f"no such event{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    elif args.org and args.since:
        items = events_in(args.org, args.since, args.until or moment("now"))
    else:
        raise CliError("give --id EVT, or --org ORG --since T (--until defaults to now)", code=2)
    if not items:
        raise CliError("no events in that window")
    if args.dry_run:
        return _replay_plan(items, args.resend_failed, ctx)
    ctx.target.ensure_queue_environment()
    total = replays.ReplayReport()
    with ctx.out.progress("replaying events", len(items)) as advance:
        for item in items:
            report = replays.replay_events([item], resend_failed=args.resend_failed)
            total.events += report.events
            total.reset += report.reset
            total.queued += report.queued
            total.failed_events.extend(report.failed_events)
            advance()
    ctx.out.done(
        f"replayed {total.events} events: {total.reset} failed deliveries reset, {total.queued} queued"
        + (f"; replay failed for {', '.join(total.failed_events)}" if total.failed_events else ""),
        total.__dict__,
    )
    return 1 if total.failed_events else 0


def _replay_plan(items: list[dict[str, Any]], resend_failed: bool, ctx: Context) -> int:
    """What a replay would do, without doing it."""
    from herald.data import events as repo

    rows = []
    for item in items:
        deliveries = repo.read_partition(str(item["id"])).deliveries
        statuses = [str(d.get("status")) for d in deliveries]
        rows.append(
            event_row(item)
            | {
                "deliveries": len(deliveries),
                "failed": statuses.count("failed"),
                "delivered": statuses.count("delivered"),
            }
        )
    if ctx.out.json:
        ctx.out.emit_json({"dryRun": True, "resendFailed": resend_failed, "events": rows})
        return 0
    ctx.out.table(
        rows, [*EVENT_COLUMNS[:4], ("DELIVERIES", "deliveries"), ("DELIVERED", "delivered"), ("FAILED", "failed")]
    )
    failed = sum(row["failed"] for row in rows)
    reset = f"{failed} failed deliveries would be reset and resent" if resend_failed else "failed ones stay failed"
    print(f"dry run: {len(rows)} events would be routed again; delivered destinations are never resent; {reset}")
    return 0


def register(nouns: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verbs = nouns.add_parser("events", help="stored events", description=__doc__).add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    listed = command(verbs, "list", listing, "list events, newest first (every org unless --org)")
    add_org(listed, "only this organization's events", required=False)
    listed.add_argument("--since", type=moment, default="24h", help=f"from (default 24h ago): {TIME_HELP}")
    listed.add_argument("--until", type=moment, help=f"to, inclusive (default now): {TIME_HELP}")
    listed.add_argument("--limit", type=int, default=50, help="at most this many events (default 50)")

    shown = command(verbs, "show", show, "an event with every delivery and escalation")
    shown.add_argument("id", metavar="ID", help="the event id (evt_…)")

    replaying = command(verbs, "replay", replay, "route stored events again (delivered destinations are never resent)")
    replaying.add_argument("--id", action="append", metavar="EVT", help="event id (evt_…); repeat for several")
    add_org(replaying, "organization id (required with --since)", required=False)
    replaying.add_argument("--since", type=moment, help=f"replay the org's events from: {TIME_HELP}")
    replaying.add_argument("--until", type=moment, help=f"to, inclusive (default now): {TIME_HELP}")
    replaying.add_argument(
        "--resend-failed", action="store_true", help="reset the events' failed deliveries to pending first"
    )
    replaying.add_argument("--dry-run", action="store_true", help="show what would be replayed; change nothing")
