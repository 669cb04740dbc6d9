"""`make run`: start the local stack in the foreground; Ctrl-C or SIGTERM stops all of it."""

from __future__ import annotations

import os
import sys

from herald import ids
from herald.auth.keys import create_key
from herald.auth.scopes import ALL_SCOPES
from herald.data import orgs
from herald_local.outbox import OutboxPrinter
from herald_local.stack import Stack


def main() -> int:
    stack = Stack(
        host="127.0.0.1",
        api_port=int(os.environ.get("HERALD_PORT", "3000")),
        aws_port=int(os.environ.get("HERALD_AWS_PORT", "5000")),
        schedule_seconds=float(os.environ["HERALD_SCHEDULE_SECONDS"])
        if os.environ.get("HERALD_SCHEDULE_SECONDS")
        else None,
    )
    try:
        stack.start()
    except OSError as error:
        print(f"herald-local: cannot start: {error}", file=sys.stderr)
        return 1
    outbox = OutboxPrinter()
    outbox.start()

    org_id = os.environ.get("HERALD_DEV_ORG") or ids.org_id()
    orgs.ensure(org_id, name="default")
    lines = [
        "Herald local stack is up",
        f"  API        {stack.api_url}",
        f"  AWS (moto) {stack.moto.url}",
        f"  org        {org_id}",
    ]
    token = os.environ.get("HERALD_DEV_TOKEN")
    if token:
        create_key(org_id, list(ALL_SCOPES), name="dev", token=token)
        lines.append(f"  token      {token}  (all scopes)")
        lines.append(f"  console    {stack.api_url}/console#key={token}")
    else:
        lines.append("  token      none: set HERALD_DEV_TOKEN, or run `herald keys create --org ORG --scope …`")
    lines.append(
        f"  private webhook targets {'allowed' if os.environ['HERALD_ALLOW_PRIVATE_TARGETS'] != '0' else 'refused'}"
    )
    lines.append("Ctrl-C stops it.")
    print("\n".join(lines), flush=True)
    try:
        stack.wait_for_signal()
    finally:
        print("stopping…", flush=True)
        outbox.stop()
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
