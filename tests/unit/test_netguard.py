"""The SSRF guard: which URLs Herald saves and sends to, with and without HERALD_ALLOW_PRIVATE_TARGETS."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from herald import settings
from herald.netguard import TargetRefused, check_saved_url, check_url_syntax, is_public_address, resolve_target

NON_PUBLIC = [
    "127.0.0.1",  # loopback
    "127.255.255.254",
    "10.0.0.1",  # private
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # link-local: the cloud metadata service
    "100.64.0.1",  # CGNAT
    "100.127.255.254",
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "0.0.0.0",  # noqa: S104 - unspecified
    "192.0.2.10",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",  # IPv6 loopback
    "::",  # IPv6 unspecified
    "fd00::1",  # unique local (fd00::/8)
    "fdff:ffff::1",
    "fe80::1",  # IPv6 link-local
    "fec0::1",  # deprecated site-local
    "ff02::1",  # IPv6 multicast
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",  # IPv4-mapped metadata
    "::ffff:10.0.0.1",
    "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 wrapping 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 wrapping 127.0.0.1
    "2001:db8::1",  # documentation
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]


@pytest.fixture
def guard_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bool], None]]:
    """Settings as a deployed function has them; `allow(True)` switches to the local stack's rule."""

    def allow(value: bool) -> None:
        monkeypatch.setenv("HERALD_ALLOW_PRIVATE_TARGETS", "1" if value else "0")
        settings.get_settings.cache_clear()

    monkeypatch.setenv("TABLE_NAME", "herald-test")
    allow(False)
    yield allow
    settings.get_settings.cache_clear()


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Replaces the resolver: each host resolves to the listed addresses; returns the hosts looked up."""
    looked_up: list[str] = []

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        looked_up.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in answers[host]
        ]

    monkeypatch.setattr("herald.netguard.socket.getaddrinfo", getaddrinfo)
    return looked_up


def url_for(address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"https://{host}/hook"


# --- is_public_address -------------------------------------------------------------------------


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is True


def test_ipv4_mapped_public_address_is_public() -> None:
    assert is_public_address(ipaddress.ip_address("::ffff:93.184.216.34")) is True


# --- syntax --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://example.com:70/_x",
        "javascript:alert(1)",
        "mailto:ops@example.com",
        "//example.com/hook",
        "example.com/hook",
        "https:///no-host",
        "http://exa mple.com/",
        "https://example.com/a b",
        "https://example.com:99999/",
        "https://[::1/",
        "",
    ],
)
def test_url_syntax_refuses_non_http_relative_and_malformed(url: str, guard_env: Callable[[bool], None]) -> None:
    # Then each of these is refused (a ValueError, which pydantic turns into a 400), even where
    # private targets are allowed
    for allowed in (False, True):
        guard_env(allowed)
        with pytest.raises(ValueError):
            check_url_syntax(url)
        with pytest.raises(ValueError):
            check_saved_url(url)


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "https://example.com/hook?x=1#f", "HTTPS://Example.COM:8443/a", "http://[2606:4700::1]/"],
)
def test_url_syntax_accepts_absolute_http_urls(url: str) -> None:
    check_url_syntax(url)


# --- check_saved_url: at create/update time, no DNS --------------------------------------------


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_saved_url_with_a_non_public_literal_is_refused(address: str, guard_env: Callable[[bool], None]) -> None:
    # Given private targets are not allowed (everywhere but the local stack)
    # When a URL naming a non-public address literally is saved
    # Then it is refused
    with pytest.raises(TargetRefused, match="not allowed"):
        check_saved_url(url_for(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/hook",
        "http://LOCALHOST:8080/hook",
        "http://localhost./hook",
        "http://localhost.localdomain/",
        "http://api.localhost/hook",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_saved_url_with_a_blocked_name_is_refused(url: str, guard_env: Callable[[bool], None]) -> None:
    with pytest.raises(TargetRefused, match="not allowed"):
        check_saved_url(url)


def test_saved_url_check_does_no_dns_lookup(monkeypatch: pytest.MonkeyPatch, guard_env: Callable[[bool], None]) -> None:
    # Given a resolver that would say a name points at loopback
    looked_up = fake_dns(monkeypatch, {"rebind.example.com": ["127.0.0.1"]})

    # When the URL is saved
    check_saved_url("https://rebind.example.com/hook")

    # Then it passes (names are checked at send time) and nothing was resolved
    assert looked_up == []


@pytest.mark.parametrize("address", PUBLIC)
def test_saved_url_with_a_public_literal_is_accepted(address: str, guard_env: Callable[[bool], None]) -> None:
    check_saved_url(url_for(address))


@pytest.mark.parametrize("url", ["http://127.0.0.1:3000/hook", "http://localhost/hook", "http://[::1]:8080/"])
def test_saved_url_private_allowed_only_with_the_flag(url: str, guard_env: Callable[[bool], None]) -> None:
    # Given the local stack's rule
    guard_env(True)
    # When a loopback target is saved, Then it is accepted
    check_saved_url(url)
    # And with the rule off again it is refused
    guard_env(False)
    with pytest.raises(TargetRefused):
        check_saved_url(url)


# --- resolve_target: right before a send -------------------------------------------------------


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_resolve_refuses_a_name_resolving_to_a_non_public_address(
    address: str, monkeypatch: pytest.MonkeyPatch, guard_env: Callable[[bool], None]
) -> None:
    # Given a public-looking name that resolves to a non-public address (DNS rebinding)
    fake_dns(monkeypatch, {"hooks.example.com": [address]})

    # When a send resolves it, Then it is refused
    with pytest.raises(TargetRefused, match="resolves to"):
        resolve_target("https://hooks.example.com/hook")


def test_resolve_refuses_when_any_of_several_addresses_is_private(
    monkeypatch: pytest.MonkeyPatch, guard_env: Callable[[bool], None]
) -> None:
    fake_dns(monkeypatch, {"mixed.example.com": ["93.184.216.34", "10.1.2.3"]})
    with pytest.raises(TargetRefused, match=r"10\.1\.2\.3"):
        resolve_target("https://mixed.example.com/")


def test_resolve_returns_the_checked_address_for_a_public_name(
    monkeypatch: pytest.MonkeyPatch, guard_env: Callable[[bool], None]
) -> None:
    # Given a name resolving to public addresses only
    fake_dns(monkeypatch, {"hooks.example.com": ["93.184.216.34", "2606:4700:4700::1111"]})

    # When resolved
    parts, address = resolve_target("https://hooks.example.com:8443/in?x=1")

    # Then the connection goes to the first checked address, and the URL parts are kept
    assert address == "93.184.216.34"
    assert (parts.scheme, parts.hostname, parts.port, parts.path, parts.query) == (
        "https",
        "hooks.example.com",
        8443,
        "/in",
        "x=1",
    )


def test_resolve_refuses_an_unresolvable_name(
    monkeypatch: pytest.MonkeyPatch, guard_env: Callable[[bool], None]
) -> None:
    fake_dns(monkeypatch, {})
    with pytest.raises(TargetRefused, match="cannot resolve"):
        resolve_target("https://nowhere.invalid/")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data/",
        # Spellings of 127.0.0.1 that ipaddress does not parse (so check_saved_url lets them by)
        # but the system resolver does: the send-time check must still catch them
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://0177.0.0.1/",
        "http://127.1/",
    ],
)
def test_resolve_refuses_literal_and_odd_spellings_of_private_addresses(
    url: str, guard_env: Callable[[bool], None]
) -> None:
    # Given the real system resolver (numeric hosts need no network)
    # When a send resolves the URL, Then it is refused
    with pytest.raises(TargetRefused):
        resolve_target(url)


def test_odd_loopback_spelling_passes_save_but_not_send(guard_env: Callable[[bool], None]) -> None:
    # Given a decimal spelling of 127.0.0.1: not an IP literal to ipaddress, so saving needs DNS to judge it
    url = "http://2130706433/hook"
    check_saved_url(url)
    # Then the send-time check is the one that refuses it
    with pytest.raises(TargetRefused, match=r"127\.0\.0\.1"):
        resolve_target(url)


def test_resolve_allows_loopback_with_the_flag(guard_env: Callable[[bool], None]) -> None:
    # Given the local stack's rule
    guard_env(True)
    # When a loopback target is resolved, Then it is allowed, with the address to connect to
    _, address = resolve_target("http://127.0.0.1:3000/hook")
    assert address == "127.0.0.1"


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "gopher://127.0.0.1/"])
def test_resolve_refuses_non_http_schemes_before_any_lookup(
    url: str, monkeypatch: pytest.MonkeyPatch, guard_env: Callable[[bool], None]
) -> None:
    looked_up = fake_dns(monkeypatch, {"example.com": ["93.184.216.34"]})
    guard_env(True)
    with pytest.raises(ValueError):
        resolve_target(url)
    assert looked_up == []
