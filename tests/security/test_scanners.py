"""Scanner findings, counted for the security figures: bandit on the code, and checkov's skips in the template
(each with its justification). `make test` also runs both scanners as gates before pytest."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from herald_local.template import ROOT, Template

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


def test_every_checkov_skip_in_the_template_is_justified(record_property: Callable[[str, Any], None]) -> None:
    skips = [
        skip
        for resource in Template().resources.values()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips, "the template declares its checkov skips"
    unjustified = [s["id"] for s in skips if len(str(s.get("comment", "")).strip()) < 20]
    assert unjustified == []
    record_property("security", f"checkov: {len(skips)} skips in template.yaml, each justified, 0 unjustified")
