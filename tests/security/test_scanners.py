"""Scanner findings, counted for the security figures: bandit on the code, and checkov's skips in .checkov.yaml
(each with its justification). `make test` also runs both scanners as gates before pytest."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from herald_local.template import ROOT
from tests.support import checkov_config

CODE = ["layers/shared/herald", "local/herald_local", "functions"]


def test_bandit_finds_nothing_medium_or_high(record_property: Callable[[str, Any], None]) -> None:
    bandit = str(Path(sys.executable).with_name("bandit"))
    result = subprocess.run(
        [bandit, "-q", "-r", *CODE, "-f", "json"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    report = json.loads(result.stdout)
    serious = [r for r in report["results"] if r["issue_severity"] in ("MEDIUM", "HIGH")]
    assert serious == []
    low = len(report["results"])
    record_property("security", f"bandit: 0 medium/high findings ({low} low, reported but not gating)")


def test_every_checkov_skip_is_justified(record_property: Callable[[str, Any], None]) -> None:
    skips = checkov_config.skips()
    assert skips, ".checkov.yaml declares its checkov skips"
    unjustified = [s.id for s in skips.values() if not s.reasons or min(map(len, s.reasons.values())) < 20]
    assert unjustified == []
    record_property("security", f"checkov: {len(skips)} skips in .checkov.yaml, each justified, 0 unjustified")
