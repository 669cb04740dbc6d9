"""What every command receives, and the helpers that declare commands and shared arguments."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from herald.cli.connection import Target
from herald.cli.output import Output


@dataclass
class Context:
    target: Target
    out: Output


Run = Callable[[argparse.Namespace, Context], int]


def command(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], name: str, run: Run, help: str, **kwargs: Any
) -> argparse.ArgumentParser:
    parser = verbs.add_parser(
        name,
        help=help,
        description=help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[connection_options(suppress=True)],
        **kwargs,
    )
    parser.set_defaults(run=run)
    return parser


def connection_options(suppress: bool = False) -> argparse.ArgumentParser:
    """--stack, --endpoint-url, --region and --output: accepted before the command and after it."""
    options = argparse.ArgumentParser(add_help=False)

    def default(value: str | None) -> str | None:
        return argparse.SUPPRESS if suppress else value

    options.add_argument(
        "--stack",
        default=default(os.environ.get("HERALD_STACK", "herald")),
        help="CloudFormation stack to read the table, KMS key and queues from (default herald, or HERALD_STACK)",
    )
    options.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=default(None),
        help="AWS endpoint (default AWS_ENDPOINT_URL); a loopback URL means the local stack",
    )
    options.add_argument(
        "--region", default=default(None), help="AWS region (default AWS_REGION; us-east-1 for the local stack)"
    )
    options.add_argument(
        "--output",
        "-o",
        choices=["table", "json"],
        default=default(os.environ.get("HERALD_OUTPUT", "table")),
        help="table (readable, the default) or json (for scripts)",
    )
    return options


def add_org(parser: argparse.ArgumentParser, help: str = "organization id", required: bool = True) -> None:
    parser.add_argument("--org", required=required, metavar="ORG", help=help)
