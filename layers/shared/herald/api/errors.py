"""Herald's own error body, the uptime alerts API's shape; every other family's is in its wire.py."""

from __future__ import annotations

from typing import Any

from herald.errors import HeraldError


def uptime_error(error: HeraldError) -> dict[str, Any]:
    """Uptime alerts and Herald's own events API: {"error": {"code": …, "message": …}}."""
    return {"error": {"code": error.code, "message": error.message}}
