"""Outbound target rules: which URLs Herald will send to (the SSRF guard).

A URL is checked twice: its syntax and any literal address when it is saved, and every address its
host resolves to right before a send (the connection then goes to the address that was checked).
Loopback and private targets are allowed only where HERALD_ALLOW_PRIVATE_TARGETS=1 (the local stack).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from herald.settings import get_settings

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_BLOCKED_NAMES = {"localhost", "localhost.localdomain", "metadata.google.internal"}


class TargetRefused(ValueError):
    """The URL is not a target Herald sends to."""


class TemporaryResolveError(OSError):
    """The name could not be resolved for now (EAI_AGAIN: the resolver failed, not the name): retry."""


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as error:
        raise TargetRefused(f"invalid URL: {error}") from None
    return parts


def check_url_syntax(url: str) -> None:
    """Absolute http(s) URL with a host: the `format: uri` the seeds ask for, limited to the web."""
    parts = _split(url)
    if parts.scheme not in {"http", "https"}:
        raise ValueError("must be an http or https URL")
    if not parts.hostname:
        raise ValueError("must be an absolute URL with a host")
    if any(ch.isspace() for ch in url):
        raise ValueError("must not contain white space")


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public_address(mapped)
    if address in _CGNAT:
        return False
    return (
        not (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
            or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
        )
        and address.is_global
    )


def check_saved_url(url: str) -> None:
    """At create/update time: refuse what is plainly not allowed, without a DNS lookup."""
    check_url_syntax(url)
    settings = get_settings()
    if settings.allow_private_targets:
        return
    host = (_split(url).hostname or "").lower().rstrip(".")
    if host in _BLOCKED_NAMES or host.endswith(".localhost"):
        raise TargetRefused(f"target host {host} is not allowed")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not is_public_address(address):
        raise TargetRefused(f"target address {address} is not allowed")


def resolve_target(url: str) -> tuple[SplitResult, str]:
    """Before a send: resolve the host and return an address that may be connected to."""
    try:
        check_url_syntax(url)
    except TargetRefused:
        raise
    except ValueError as error:
        raise TargetRefused(str(error)) from None
    parts = _split(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        if error.errno == socket.EAI_AGAIN:
            raise TemporaryResolveError(f"cannot resolve {host} for now: {error.strerror}") from None
        raise TargetRefused(f"cannot resolve {host}: {error.strerror}") from None
    allow_private = get_settings().allow_private_targets
    addresses = [str(info[4][0]) for info in infos]
    for raw in addresses:
        address = ipaddress.ip_address(raw.split("%", 1)[0])
        if not allow_private and not is_public_address(address):
            raise TargetRefused(f"target {host} resolves to {address}, which is not allowed")
    if not addresses:
        raise TargetRefused(f"cannot resolve {host}")
    return parts, addresses[0]
