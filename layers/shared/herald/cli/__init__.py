"""The `herald` operator CLI (entry point `herald.cli:main`)."""

from herald.cli.app import main, parser

__all__ = ["main", "parser"]
