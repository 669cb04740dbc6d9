"""The one rule for stored secrets across updates (herald.secrets_kept)."""

from __future__ import annotations

import pytest

from herald.secrets_kept import PRODUCT_DEFAULT, Destination, keep_secrets, origin, same_destination

STORED = {"password": "sealed-pw", "token": "sealed-token"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Hooks.Example.com/a?b=c", "https://hooks.example.com:443"),
        ("https://hooks.example.com:443/other", "https://hooks.example.com:443"),
        ("HTTP://127.0.0.1:8080/x", "http://127.0.0.1:8080"),
        ("http://[::1]:9/x", "http://::1:9"),
        ("", PRODUCT_DEFAULT),
        ("not a url", ""),
        ("http://host:99999/x", ""),
    ],
)
def test_origin_is_scheme_host_and_port_with_the_default_port_explicit(url: str, expected: str) -> None:
    assert origin(url) == expected


def test_the_same_type_and_origin_keeps_every_stored_secret() -> None:
    old = Destination("http", ("https://hooks.example.com/in",))
    new = Destination("http", ("https://HOOKS.example.com:443/other-path",))
    assert keep_secrets(old, new, STORED) == STORED


@pytest.mark.parametrize(
    "new",
    [
        Destination("http", ("https://evil.example.com/in",)),  # another host
        Destination("http", ("http://hooks.example.com/in",)),  # another scheme
        Destination("http", ("https://hooks.example.com:8443/in",)),  # another port
        Destination("telegram", ("https://hooks.example.com/in",)),  # another type
        Destination("http", ("https://hooks.example.com/in,https://evil.example.com/",)),  # one more origin
        Destination("http", ("::::",)),  # unparseable
    ],
)
def test_another_origin_or_type_keeps_none(new: Destination) -> None:
    assert keep_secrets(Destination("http", ("https://hooks.example.com/in",)), new, STORED) == {}


def test_a_destination_with_the_services_own_address_keeps_its_secrets_until_a_url_is_set() -> None:
    token_only = Destination("slack", ("",))
    assert same_destination(token_only, Destination("slack", ()))
    assert not same_destination(token_only, Destination("slack", ("https://hooks.slack.com/x",)))


def test_dropping_one_of_several_origins_keeps_the_secrets() -> None:
    both = Destination("prometheus-alertmanager", ("https://a.example.com,https://b.example.com",))
    assert same_destination(both, Destination("prometheus-alertmanager", ("https://b.example.com/",)))
