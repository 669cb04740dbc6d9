"""`herald keys create|list|revoke`: API keys (the token is shown once; only its hash is stored)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from herald.cli.context import Context, add_org, command
from herald.cli.failures import CliError
from herald.cli.scopes import SCOPE_HELP, epilog, expand_scopes


def create(args: argparse.Namespace, ctx: Context) -> int:
    from herald.auth.api_keys import create_key, key_id, token_hash
    from herald.data import orgs

    scopes = expand_scopes(args.scope)
    orgs.ensure(args.org)
    expires = time.time() + args.expires_in_days * 86400 if args.expires_in_days is not None else None
    token = args.token
    if args.routing_key:
        from herald.auth.api_keys import new_routing_key

        token = token or new_routing_key()
    token = create_key(args.org, scopes, name=args.name or "", token=token, expires_at=expires)
    data: dict[str, Any] = {"token": token, "id": key_id(token_hash(token)), "org": args.org, "scopes": scopes}
    ctx.out.created(token, data)
    if not ctx.out.json:
        ctx.out.note(f"key {data['id']} for org {args.org}; the token is shown only now")
    return 0


def listing(args: argparse.Namespace, ctx: Context) -> int:
    from herald.auth.api_keys import list_keys

    rows = []
    for key in list_keys(args.org):
        state = "revoked" if key.revoked_at else ("expiring" if key.expires_at else "active")
        rows.append({**key.__dict__, "state": state})
    ctx.out.table(
        rows,
        [
            ("ID", "id"),
            ("NAME", "name"),
            ("CREATED", "created_at"),
            ("LAST USED", "last_used_at"),
            ("EXPIRES", "expires_at"),
            ("STATE", "state"),
            ("SCOPES", "scopes"),
        ],
        empty=f"org {args.org} has no keys",
    )
    return 0


def revoke(args: argparse.Namespace, ctx: Context) -> int:
    from herald.auth.api_keys import revoke as revoke_key

    if not revoke_key(args.org, args.id):
        raise CliError(f"no active key {args.id} in org {args.org}")
    from herald.settings import get_settings

    ctx.out.done(
        f"revoked {args.id} (containers stop accepting it within {get_settings().key_cache_seconds:g} s)",
        {"id": args.id, "org": args.org, "revoked": True},
    )
    return 0


def add_create_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `keys create`; a new kind of key adds its own next to these."""
    add_org(parser, "organization id (created when new)")
    parser.add_argument(
        "--scope",
        action="append",
        required=True,
        metavar="SCOPE",
        help=SCOPE_HELP,
    )
    parser.add_argument("--token", help="use this token instead of a generated one (at least 16 characters)")
    parser.add_argument("--name", help="a name to recognise the key by in `keys list`")
    parser.add_argument(
        "--routing-key",
        action="store_true",
        help="mint the key in PagerDuty's 32-character routing key form (for POST /v2/enqueue)",
    )
    parser.add_argument(
        "--expires-in-days", type=float, metavar="DAYS", help="the key stops working after this many days"
    )


def register(nouns: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verbs = nouns.add_parser("keys", help="API keys", description=__doc__).add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    made = command(
        verbs,
        "create",
        create,
        "create a key and print its token (shown once, stored only as a hash)",
        epilog=epilog(),
    )
    add_create_arguments(made)
    listed = command(verbs, "list", listing, "list an org's keys (never their tokens)")
    add_org(listed)
    revoked = command(verbs, "revoke", revoke, "revoke a key by its id (key_…)")
    add_org(revoked)
    revoked.add_argument("--id", required=True, help="the key's id as `keys list` shows it (key_…)")
