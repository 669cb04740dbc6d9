"""Explicit destinations for events from other tools, which have no `targets` field of their own.

An alert names them in its annotations or labels (Alertmanager, Grafana), a PagerDuty event in its
`payload.custom_details`, under the names of POST /v1/events' `targets`: `notificationUids` (Grafana
channels by uid), `endpointIDs` (InfluxDB endpoints), `userIds` (OnCall users to page), comma-separated,
and `important` ("true" for OnCall's important chain). Ids that are not valid references are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from herald.models.events import Targets

REF = re.compile(r"[A-Za-z0-9_.:@/-]{1,128}")  # herald.models.events.Ref
FIELDS = ("notificationUids", "endpointIDs", "userIds")
MAX_IDS = 50


def _ids(value: Any) -> list[str]:
    parts = value if isinstance(value, list) else str(value).split(",")
    found = [str(part).strip() for part in parts]
    return list(dict.fromkeys(p for p in found if REF.fullmatch(p)))[:MAX_IDS]


def targets_from(*sources: Mapping[str, Any]) -> Targets | None:
    """The targets the sources name; a later source wins over an earlier one. None when none are named."""
    merged: dict[str, Any] = {}
    for source in sources:
        merged.update({k: v for k, v in source.items() if k in (*FIELDS, "important")})
    named: dict[str, Any] = {field: _ids(merged[field]) for field in FIELDS if field in merged}
    if not any(named.values()):
        return None
    important = str(merged.get("important", "")).strip().lower() in ("true", "1", "yes")
    return Targets(**named, important=important)
