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


def mackerel_error(error: HeraldError) -> dict[str, Any]:
    """Mackerel (notification groups and channels): {"error": {"message": …}}."""
    return {"error": {"message": error.message}}


def grafana_error(error: HeraldError) -> dict[str, Any]:
    """Grafana's legacy alert notifications API: {"message": …}."""
    return {"message": error.message}


# InfluxDB OSS v2: {"code": …, "message": …} plus the X-Platform-Error-Code header; a conflict is 422.
_INFLUX_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not found",
    405: "method not allowed",
    413: "request too large",
    415: "unsupported media type",
    422: "conflict",
    429: "too many requests",
    501: "not implemented",
    503: "unavailable",
}


def influx_status(error: HeraldError) -> int:
    return 422 if error.status == 409 else error.status


def influx_code(error: HeraldError) -> str:
    return _INFLUX_CODES.get(influx_status(error), "internal error")


def influx_error(error: HeraldError) -> dict[str, Any]:
    code = influx_code(error)
    message = {"unauthorized": "unauthorized access", "internal error": "internal error"}.get(code, error.message)
    return {"code": code, "message": message}


def influx_error_headers(error: HeraldError) -> dict[str, str]:
    return {"X-Platform-Error-Code": influx_code(error)}
