"""Ports of the local stack: an explicit HERALD_PORT / HERALD_AWS_PORT is used exactly; a default that
another program holds (5000 is AirPlay's on macOS) gives way to a free port, and the banner says so."""

from __future__ import annotations

import os
import socket


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    # No SO_REUSEADDR: a port another program listens on, even on the wildcard address, counts as taken.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(variable: str, default: int) -> tuple[int, str | None]:
    """The port to bind (0: any free one) and a note for the banner when the default was taken."""
    explicit = os.environ.get(variable)
    if explicit:
        if not explicit.isdigit() or not 0 <= int(explicit) < 65536:
            raise ValueError(f"{variable} must be a port number, not {explicit!r}")
        return int(explicit), None
    if is_free(default):
        return default, None
    return 0, f"port {default} is taken, so another free port is used (set {variable} to choose one)"
