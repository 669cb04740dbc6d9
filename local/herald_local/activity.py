"""What the local stack prints while it works: one line per delivery outcome, and errors as one readable
line while their full JSON log goes to a file (the banner prints its path)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, TextIO

URL_FIELDS = ("url", "webhookUrl")
EMAIL_FIELDS = ("email", "addresses")


def mask_url(url: str) -> str:
    """Scheme, host and port only: paths and queries of webhook URLs are often the secret."""
    found = re.match(r"^([a-z]+://[^/?#]+)", url)
    return f"{found.group(1)}/…" if found else "…"


def mask_address(value: str) -> str:
    """`a…@example.com`, `+1415…0100`, `12…89`: enough to recognise, not enough to copy."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}…@{domain}"
    return f"{value[:5]}…{value[-4:]}" if len(value) > 10 else f"{value[:2]}…"


def masked_destination(item: dict[str, Any]) -> str:
    config = {str(k): str(v) for k, v in (item.get("config") or {}).items()}
    for name in EMAIL_FIELDS:
        if config.get(name):
            return ", ".join(mask_address(a.strip()) for a in config[name].replace(";", ",").split(",") if a.strip())
    for name in ("phoneNumber", "chatId"):
        if config.get(name):
            return mask_address(config[name])
    sealed = {str(k): str(v) for k, v in (item.get("sealed") or {}).items() if str(k) in URL_FIELDS}
    if sealed:
        try:
            from herald import secrets

            opened = secrets.unseal(str(item["orgId"]), sealed)
            return mask_url(next(iter(opened.values())))
        except Exception:  # noqa: S110 - the name below is a fine fallback for a printout
            pass
    return f"{item.get('family')}:{item.get('destinationName') or item.get('destinationId')}"


def outcome_line(item: dict[str, Any], elapsed_ms: float) -> str:
    """`[delivery] webhook http://127.0.0.1:9000/… delivered (attempt 1, 41 ms)`."""
    status = str(item.get("status"))
    shown = {"pending": "will retry"}.get(status, status)
    line = (
        f"[delivery] {item.get('kind')} {masked_destination(item)} {shown}"
        f" (attempt {item.get('attempts', 0)}, {elapsed_ms:.0f} ms)"
    )
    if status != "delivered" and item.get("lastError"):
        line += f": {str(item['lastError']).splitlines()[0][:200]}"
    return line


def report_deliveries(records: list[dict[str, Any]], elapsed_ms: float) -> None:
    """After a delivery batch: each message's record as it now stands (the queue poller's hook)."""
    from herald.data import table_keys
    from herald.data.table import table

    for record in records:
        try:
            body = json.loads(record["body"])
            item = table().get_item(Key=table_keys.delivery(str(body["eventId"]), str(body["deliveryId"]))).get("Item")
        except Exception as error:
            print(f"[delivery] cannot read the outcome: {type(error).__name__}: {error}", flush=True)
            continue
        if item:
            print(outcome_line(with_destination(dict(item)), elapsed_ms), flush=True)


def with_destination(item: dict[str, Any]) -> dict[str, Any]:
    """The record with its destination's settings, which a planned delivery finds in its event's plan."""
    try:
        from herald.delivery import sources

        return sources.as_sent(item)
    except Exception:
        return item


class OneLineErrors(logging.Handler):
    """Prints each warning or error the functions log as one line, pointing at the full JSON log."""

    def __init__(self, formatter: logging.Formatter, log_path: Path) -> None:
        super().__init__(level=logging.WARNING)
        self.json_formatter = formatter
        self.log_path = log_path

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = json.loads(self.json_formatter.format(record))
        except Exception:
            data = {"level": record.levelname, "message": record.getMessage()}
        where = data.get("function_name") or data.get("location") or ""
        cause = f" ({data['exception_name']})" if data.get("exception_name") else ""
        print(
            f"[{str(data.get('level', record.levelname)).lower()}] {where}: {data.get('message')}{cause}"
            f"  — full log: {self.log_path}",
            flush=True,
        )


def route_function_logs(log_path: Path) -> TextIO:
    """The functions' JSON logs go to `log_path`; warnings and errors also print as one line."""
    from herald.observability import logger

    log_path.parent.mkdir(parents=True, exist_ok=True)
    stream = log_path.open("a", encoding="utf-8")
    python_logger = logging.getLogger(logger.name)
    for handler in python_logger.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    formatter = python_logger.handlers[0].formatter if python_logger.handlers else logging.Formatter()
    python_logger.addHandler(OneLineErrors(formatter or logging.Formatter(), log_path))
    return stream
