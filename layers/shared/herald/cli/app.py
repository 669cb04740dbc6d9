"""`herald`: operator commands against the local stack or a deployed stack.

Against the local stack (`make run`) set only AWS_ENDPOINT_URL=http://127.0.0.1:5000 (or pass
--endpoint-url): credentials, region, table, KMS key and queues are found without being told. Against
AWS, the usual credentials and region apply and the table, KMS key and queues come from the
CloudFormation stack (--stack, default "herald"). Every command takes --output json.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from herald.cli.commands import NOUNS
from herald.cli.context import connection_options
from herald.cli.failures import one_line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Bad arguments: one line and the command's --help, not the whole usage block."""
        self.exit(2, f"herald: {message} (see `{self.prog} --help`)\n")


def parser() -> argparse.ArgumentParser:
    root = _Parser(
        prog="herald",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[connection_options()],
    )
    nouns: argparse._SubParsersAction[argparse.ArgumentParser] = root.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for register in NOUNS:
        register(nouns)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from herald.cli.connection import connect
    from herald.cli.context import Context
    from herald.cli.output import Output

    try:
        target = connect(args.stack, endpoint_url=args.endpoint_url, region=args.region)
        return int(args.run(args, Context(target=target, out=Output(args.output))))
    except KeyboardInterrupt:
        print("herald: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get("HERALD_DEBUG"):
            raise
        message, code = one_line(error)
        print(f"herald: {message}", file=sys.stderr)
        return code
