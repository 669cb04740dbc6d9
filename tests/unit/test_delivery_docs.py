"""docs/delivery.md keeps up with the code: every kind of the channel contract, every retry setting, every
function of the template."""

from __future__ import annotations

from pathlib import Path

import pytest

from herald.delivery.contract import KINDS
from herald_local.template import Template

DOC = (Path(__file__).resolve().parents[2] / "docs" / "delivery.md").read_text()


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_documented(kind: str) -> None:
    assert kind in DOC


@pytest.mark.parametrize(
    "variable",
    [
        "HERALD_MAX_ATTEMPTS",
        "HERALD_RETRY_BASE_SECONDS",
        "HERALD_RETRY_CAP_SECONDS",
        "HERALD_RETRY_HORIZON_SECONDS",
        "HERALD_MAX_RECEIVES",
        "HERALD_SEND_DEADLINE_SECONDS",
        "HERALD_SWEEP_AFTER_SECONDS",
        "HERALD_BREAKER_THRESHOLD",
        "HERALD_BREAKER_PROBE_SECONDS",
        "HERALD_BREAKER_COOLOFF_SECONDS",
        "HERALD_DELIVERY_CONCURRENCY",
    ],
)
def test_every_delivery_setting_is_documented(variable: str) -> None:
    from herald import settings

    assert variable in Path(settings.__file__).read_text()
    assert variable in DOC


def test_the_flow_covers_every_function_of_the_template() -> None:
    functions = Template().functions()
    for spec in functions.values():
        folder = spec.app_path.parent.name
        assert f"`{folder}`" in DOC, folder
