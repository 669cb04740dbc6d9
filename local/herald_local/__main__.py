"""`herald-local` (`make run`): the local stack in the foreground; Ctrl-C or SIGTERM stops all of it.
`herald-local invoke FUNCTION -e EVENT.json` runs one function on one event (see herald_local.invoke);
`herald-local sam-template` writes the template `sam local invoke` needs (see herald_local.sam_local)."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from herald_local.ports import choose_port

DEFAULT_API_PORT = 3000
DEFAULT_AWS_PORT = 5000  # taken by AirPlay on macOS: then another free port is used


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["invoke"]:
        from herald_local.invoke import main as invoke

        return invoke(args[1:])
    if args == ["sam-template"]:
        from herald_local.sam_local import main as sam_template

        return sam_template()
    if args:
        print("usage: herald-local [invoke FUNCTION -e EVENT.json | sam-template]", file=sys.stderr)
        return 2
    return run()


def run() -> int:
    from herald_local.activity import route_function_logs
    from herald_local.outbox import OutboxPrinter
    from herald_local.stack import Stack

    try:
        api_port, api_note = choose_port("HERALD_PORT", DEFAULT_API_PORT)
        aws_port, aws_note = choose_port("HERALD_AWS_PORT", DEFAULT_AWS_PORT)
    except ValueError as error:
        print(f"herald-local: {error}", file=sys.stderr)
        return 2
    stack = Stack(
        host="127.0.0.1",
        api_port=api_port,
        aws_port=aws_port,
        schedule_seconds=float(os.environ["HERALD_SCHEDULE_SECONDS"])
        if os.environ.get("HERALD_SCHEDULE_SECONDS")
        else None,
        # One GetItem per delivered message: `make bench` turns it off so it measures Herald, not the printout.
        print_outcomes=os.environ.get("HERALD_PRINT_DELIVERIES", "1") != "0",
    )
    try:
        stack.start()
    except OSError as error:
        print(f"herald-local: cannot start: {error}", file=sys.stderr)
        return 1
    log_path = Path(
        os.environ.get("HERALD_LOG_FILE") or Path(tempfile.gettempdir()) / f"herald-local-{stack.api_port}.jsonl"
    )
    log_stream = route_function_logs(log_path)
    outbox = OutboxPrinter()
    outbox.start()
    print(banner(stack, log_path, [note for note in (api_note, aws_note) if note]), flush=True)
    try:
        stack.wait_for_signal()
    finally:
        print("stopping…", flush=True)
        outbox.stop()
        stack.stop()
        log_stream.close()
        print(f"[moto] served: {stack.moto.locks.usage()}", flush=True)
    return 0


def banner(stack: object, log_path: Path, notes: list[str]) -> str:
    """What the stack serves and how to use it; creates the dev org and its key on the way."""
    from herald import ids
    from herald.auth.api_keys import create_key, new_token
    from herald.auth.scopes import ALL_SCOPES
    from herald.data import orgs
    from herald_local.sink import secret
    from herald_local.stack import Stack

    assert isinstance(stack, Stack)
    org_id = os.environ.get("HERALD_DEV_ORG") or ids.org_id()
    orgs.ensure(org_id, name="default")
    token = os.environ.get("HERALD_DEV_TOKEN") or new_token()
    create_key(org_id, list(ALL_SCOPES), name="dev", token=token)
    api = stack.api_url
    private = "allowed" if os.environ["HERALD_ALLOW_PRIVATE_TARGETS"] != "0" else "refused"
    lines = [
        "Herald local stack is up",
        f"  API        {api}",
        f"  AWS (moto) {stack.moto.url}     for the CLI: export AWS_ENDPOINT_URL={stack.moto.url}",
        f"  org        {org_id}",
        f"  token      {token}  (all scopes{'' if os.environ.get('HERALD_DEV_TOKEN') else ', new each start'})",
        f"  console    {api}/console#key={token}",
        f"  sink       {api}/_sink/<name>  (webhook receiver; signing secret {secret()})",
        f"  logs       {log_path}  (full JSON logs; errors also print here as one line)",
        f"  private webhook targets {private}",
        *[f"  note       {note}" for note in notes],
        "Ctrl-C stops it.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
