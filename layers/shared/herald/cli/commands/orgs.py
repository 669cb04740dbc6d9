"""`herald orgs create|list`: organizations, the tenant every API family shares."""

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


def register(nouns: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verbs = nouns.add_parser("orgs", help="organizations", description=__doc__).add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    made = command(verbs, "create", create, "create an org and print its generated id")
    made.add_argument("--name", required=True, help="a display name (ids are generated: 16 hex digits)")
    made.add_argument("--id", help="use this id instead of a generated one")
    command(verbs, "list", listing, "list every org, oldest first")
