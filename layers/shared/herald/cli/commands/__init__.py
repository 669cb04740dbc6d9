"""One module per noun; each adds its subcommands to the parser with `register`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from herald.cli.commands import deliveries, events, keys, orgs, queues, templates, users

Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]

NOUNS: tuple[Register, ...] = (
    orgs.register,
    keys.register,
    users.register,
    events.register,
    deliveries.register,
    queues.register,
    templates.register,
)
