"""`herald orgs create|list|limits`: organizations, the tenant every API family shares, and their caps."""

from __future__ import annotations

import argparse

from herald.cli.context import Context, command
from herald.cli.failures import CliError


def create(args: argparse.Namespace, ctx: Context) -> int:
    from herald import ids
    from herald.data import orgs

    org_id = args.id or ids.org_id()
    if not orgs.ensure(org_id, name=args.name):
        raise CliError(f"org {org_id} already exists")
    ctx.out.created(org_id, orgs.get(org_id) or {"id": org_id, "name": args.name})
    return 0


def listing(args: argparse.Namespace, ctx: Context) -> int:
    from herald.data import orgs

    ctx.out.table(
        orgs.list_all(),
        [("ID", "id"), ("NAME", "name"), ("CREATED", "createdAt")],
        empty="no orgs yet: `herald orgs create --name NAME`",
    )
    return 0


def limits(args: argparse.Namespace, ctx: Context) -> int:
    """Stores the overrides given (none: only shows), then prints every effective limit and its source."""
    from herald.data import limits as org_limits
    from herald.data import orgs
    from herald.limits import LIMITS

    if orgs.get(args.org) is None:
        raise CliError(f"no org {args.org}: `herald orgs list` shows them")
    given = {limit.name: value for limit in LIMITS if (value := getattr(args, _dest(limit.name))) is not None}
    org_limits.override(args.org, given)
    overridden = org_limits.overrides(args.org)
    effective = org_limits.effective(args.org)
    if ctx.out.json:
        ctx.out.emit_json({"orgId": args.org, "limits": effective, "overrides": overridden})
        return 0
    rows = [
        {
            "limit": limit.name,
            "value": effective[limit.name],
            "source": "override" if limit.name in overridden else "default",
            "what": limit.what,
        }
        for limit in LIMITS
    ]
    ctx.out.table(rows, [("LIMIT", "limit"), ("VALUE", "value"), ("SOURCE", "source"), ("WHAT", "what")])
    return 0


def _dest(name: str) -> str:
    return name.replace("-", "_")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a limit cannot be negative: {value}")
    return value


def register(nouns: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verbs = nouns.add_parser("orgs", help="organizations", description=__doc__).add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    made = command(verbs, "create", create, "create an org and print its generated id")
    made.add_argument("--name", required=True, help="a display name (ids are generated: 16 hex digits)")
    made.add_argument("--id", help="use this id instead of a generated one")
    command(verbs, "list", listing, "list every org, oldest first")
    from herald.limits import LIMITS

    capped = command(
        verbs,
        "limits",
        limits,
        "show an org's caps and daily quotas; with options, override them for that org (docs/security.md)",
    )
    capped.add_argument("--org", required=True, help="the org's id")
    for limit in LIMITS:
        capped.add_argument(
            f"--{limit.name}",
            type=_count,
            metavar="N",
            dest=_dest(limit.name),
            help=f"{limit.what} (default {limit.default})",
        )
