"""`herald queues`: how many messages wait in every delivery queue and dead-letter queue."""

from __future__ import annotations

import argparse

from herald.cli.context import Context, command


def show(args: argparse.Namespace, ctx: Context) -> int:
    from herald.cli.queues_depth import depth

    rows = []
    for logical_id, url in sorted(ctx.target.queue_urls().items()):
        found = depth(url)
        rows.append(
            {
                "queue": logical_id,
                "role": found.role,
                "visible": found.visible,
                "inFlight": found.in_flight,
                "delayed": found.delayed,
                "url": url,
            }
        )
    ctx.out.table(
        rows,
        [
            ("QUEUE", "queue"),
            ("ROLE", "role"),
            ("WAITING", "visible"),
            ("IN FLIGHT", "inFlight"),
            ("DELAYED", "delayed"),
        ],
        empty=f"{ctx.target.describe()} has no queues",
    )
    return 0


def register(nouns: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command(nouns, "queues", show, "depth of every main and dead-letter queue of the stack")
