"""The caps and quotas the docs state are the ones the code enforces (herald/limits.py)."""

from __future__ import annotations

import re

from herald.limits import DEFAULTS
from herald_local.template import ROOT


def stated(page: str) -> dict[str, int]:
    """`| `name` | 1000 |` rows of a page's tables: the limits it states with their defaults."""
    text = (ROOT / page).read_text()
    return {name: int(value) for name, value in re.findall(r"^\| `([a-z-]+)` \| (\d+) \|", text, flags=re.M)}


def test_security_page_states_every_default_the_code_has() -> None:
    assert stated("docs/security.md") == DEFAULTS


def test_readme_states_every_default_the_code_has() -> None:
    assert stated("README.md") == DEFAULTS
