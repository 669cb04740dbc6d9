"""Which stored secrets an update keeps: one rule for every family.

A write-only secret was given for one destination: a type of destination and the origins (scheme, host,
port) its sender talks to. An update keeps a stored secret only while both stay the same. An update that
changes the type, or points a URL at another origin, keeps none: the request must send them again, so a
key that can write a destination cannot send its stored password or token to a server of its choosing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# The product's own address: a destination whose URL is empty sends to its service's fixed endpoint.
PRODUCT_DEFAULT = "(the service's own address)"


@dataclass(frozen=True)
class Destination:
    """What a secret goes to: the destination's type and the URLs its sender uses ("" for the service's
    own fixed address; a comma-separated list counts as several URLs)."""

    type: str
    urls: tuple[str, ...] = ()


def origin(url: str) -> str:
    """`scheme://host:port`, with the scheme's default port made explicit; "" for an unparseable URL."""
    text = url.strip()
    if not text:
        return PRODUCT_DEFAULT
    try:
        parts = urlsplit(text)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if not parts.scheme or not host:
        return ""
    return f"{parts.scheme.lower()}://{host}:{port}"


def _origins(urls: Iterable[str]) -> set[str]:
    found = {origin(part) for url in urls for part in (url.split(",") if "," in url else [url])}
    return found or {PRODUCT_DEFAULT}


def same_destination(old: Destination, new: Destination) -> bool:
    """The same type, and every origin the new settings send to is one the old settings sent to."""
    if old.type != new.type:
        return False
    old_origins, new_origins = _origins(old.urls), _origins(new.urls)
    return "" not in new_origins and "" not in old_origins and new_origins <= old_origins


def keep_secrets[T](old: Destination, new: Destination, stored: Mapping[str, T]) -> dict[str, T]:
    """The stored secrets an update may carry over: all of them for the same destination, none otherwise."""
    return dict(stored) if same_destination(old, new) else {}
