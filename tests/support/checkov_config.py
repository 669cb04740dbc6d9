"""The checkov skips of .checkov.yaml with their reasons: the "# <what>: <why>" comment lines above each id."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from herald_local.template import ROOT

CONFIG = ROOT / ".checkov.yaml"
_REASON = re.compile(r"^\s*# (\w+): (.+)$")
_SKIP = re.compile(r"^\s*- (CKV\w+)\s*$")


@dataclass
class Skip:
    id: str
    reasons: dict[str, str] = field(default_factory=dict)  # what it covers (a trigger kind, Function, LogGroup) → why


def skips() -> dict[str, Skip]:
    found: dict[str, Skip] = {}
    reasons: dict[str, str] = {}
    for line in CONFIG.read_text().splitlines():
        if reason := _REASON.match(line):
            reasons[reason[1]] = reason[2]
        elif skip := _SKIP.match(line):
            found[skip[1]] = Skip(skip[1], reasons)
            reasons = {}
        elif not line.lstrip().startswith("#"):
            reasons = {}
    listed = yaml.safe_load(CONFIG.read_text())["skip-check"]
    assert sorted(found) == sorted(listed), "every skip-check entry is one `- CKV_…` line"
    return found
