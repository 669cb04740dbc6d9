"""`herald templates …`: the templates feature's own commands (herald.templates.cli), under this CLI."""

from __future__ import annotations

import argparse
from typing import Any

from herald.cli.context import Context


def register(nouns: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from herald.templates import cli as templates_cli

    # The connection is made before any command runs, so the feature's own `configure` has nothing to do.
    templates_cli.register(nouns, lambda stack: None)
    verbs = next(a for a in nouns.choices["templates"]._actions if isinstance(a, argparse._SubParsersAction))
    for command in verbs.choices.values():
        command.set_defaults(run=_with_context(command.get_default("run")))


def _with_context(run: Any) -> Any:
    def call(args: argparse.Namespace, ctx: Context) -> int:
        return int(run(args))

    return call
