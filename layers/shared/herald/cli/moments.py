"""`--since` / `--until` values: ISO 8601 (UTC unless it says otherwise), `now`, or an age such as `90m`."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta

from herald import clock

_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
HELP = "ISO 8601 (e.g. 2026-11-23T10:00:00Z), `now`, or an age: 30m, 2h, 7d"


def moment(text: str) -> str:
    """The instant as Herald stores times (ISO 8601 UTC, milliseconds, Z); argparse's `type=`."""
    value = text.strip()
    if value.lower() == "now":
        return clock.iso()
    age = _AGE.match(value.lower())
    if age:
        return clock.iso(clock.now() - timedelta(**{_UNITS[age.group(2)]: float(age.group(1))}))
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time: {text!r} ({HELP})") from None
    return clock.iso(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
