"""Decrypted secrets are cached per delivery container by ciphertext, and a batch's parallel sends of one
destination share a single KMS Decrypt."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from herald import aws, secrets


def count_decrypts() -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    aws.client("kms").meta.events.register(
        "provide-client-params.kms.Decrypt", lambda params, **_: calls.append(params)
    )
    return calls


def test_parallel_unseals_of_one_ciphertext_decrypt_once(aws_env: Any) -> None:
    secrets.clear_cache()
    sealed = secrets.seal("org1", {"url": "https://hooks.example.com/a", "token": "t0k"})
    decrypts = count_decrypts()
    with ThreadPoolExecutor(max_workers=10) as pool:
        values = list(pool.map(lambda _: secrets.unseal("org1", sealed), range(10)))
    assert values == [{"url": "https://hooks.example.com/a", "token": "t0k"}] * 10
    assert len(decrypts) == 2  # one per field, not one per thread
    # a new ciphertext (a changed secret) is decrypted, never served from the cache
    resealed = secrets.seal("org1", {"url": "https://hooks.example.com/b"})
    assert secrets.unseal("org1", resealed) == {"url": "https://hooks.example.com/b"}
    assert len(decrypts) == 3


def test_a_failed_decrypt_is_not_cached_and_leaves_no_one_waiting(aws_env: Any) -> None:
    secrets.clear_cache()
    sealed = secrets.seal("org1", {"url": "https://hooks.example.com/a"})
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: _try(lambda: secrets.unseal("org2", sealed)), range(4)))
    assert all(isinstance(o, ClientError) for o in outcomes)  # the wrong org's context never decrypts
    assert secrets._decrypted.loading == 0
    assert secrets.unseal("org1", sealed) == {"url": "https://hooks.example.com/a"}


def _try(call: Any) -> Any:
    try:
        return call()
    except ClientError as error:
        return error


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    yield
    secrets.clear_cache()


def test_an_owned_secret_opens_under_its_own_context_in_any_slot_and_for_no_other_org(aws_env: Any) -> None:
    # Given a user's webhook URL sealed under (org, owner, field)
    sealed = secrets.seal("org1", {"webhookUrl": "https://hooks.example.com/u"}, owner="oncall-user/U1")
    assert secrets.sealed_as("webhookUrl", sealed["webhookUrl"])[:2] == ("oncall-user/U1", "webhookUrl")

    # When the escalation hands it to the webhook sender's `url` slot, Then it opens there unchanged
    assert secrets.unseal("org1", {"url": sealed["webhookUrl"]}) == {"url": "https://hooks.example.com/u"}

    # And never for another org
    with pytest.raises(ClientError):
        secrets.unseal("org2", {"url": sealed["webhookUrl"]})
