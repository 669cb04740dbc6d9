"""Error bodies of each API family."""

from __future__ import annotations

from typing import Any

from herald.errors import HeraldError


def uptime_error(error: HeraldError) -> dict[str, Any]:
    """Uptime alerts and Herald's own events API: {"error": {"code": …, "message": …}}."""
    return {"error": {"code": error.code, "message": error.message}}


def oncall_error(error: HeraldError) -> dict[str, Any]:
    """Grafana OnCall (Django REST framework): {"detail": "…"} or a field → message(s) object."""
    from herald.errors import FieldErrors, Forbidden, NotFound, Unauthorized

    if isinstance(error, FieldErrors):
        return dict(error.body)
    if isinstance(error, Unauthorized):
        return {"detail": "Invalid token."}
    if isinstance(error, Forbidden):
        return {"detail": "You do not have permission to perform this action."}
    if isinstance(error, NotFound):
        return {"detail": error.message if error.message == "Invalid page." else "Not found."}
    if error.status >= 500:
        return {"detail": "A server error occurred."}
    return {"detail": error.message}


def oncall_status(error: HeraldError) -> int:
    """OnCall sends no 401: a bad or missing token is 403."""
    return 403 if error.status == 401 else error.status


def grafana_error(error: HeraldError) -> dict[str, Any]:
    """Grafana's legacy alert notifications API: {"message": …}."""
    return {"message": error.message}
