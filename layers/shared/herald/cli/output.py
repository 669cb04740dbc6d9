"""What a command prints: a readable table by default, JSON with `--output json`; progress on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

Column = tuple[str, str]  # (header, key in the row)


def plain(value: Any) -> Any:
    """DynamoDB's Decimals and sets as JSON numbers and lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


MAX_CELL = 80  # a table cell's width; `--output json` has the whole value


def _cell(value: Any, limit: int | None = MAX_CELL) -> str:
    if value is None or value == "":
        return "-"
    text = ",".join(str(v) for v in value) or "-" if isinstance(value, list | tuple) else str(value)
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


class Advance(Protocol):
    def __call__(self, count: int = 1) -> None: ...


@dataclass
class Output:
    format: str = "table"

    @property
    def json(self) -> bool:
        return self.format == "json"

    def emit_json(self, data: Any) -> None:
        print(json.dumps(plain(data), indent=2, sort_keys=False))

    def table(self, rows: Sequence[dict[str, Any]], columns: Sequence[Column], empty: str = "nothing found") -> None:
        if self.json:
            self.emit_json(list(rows))
            return
        if not rows:
            print(empty, file=sys.stderr)
            return
        cells = [[_cell(row.get(key)) for _, key in columns] for row in rows]
        widths = [max(len(header), *(len(line[i]) for line in cells)) for i, (header, _) in enumerate(columns)]
        print("  ".join(header.ljust(width) for (header, _), width in zip(columns, widths, strict=True)).rstrip())
        for line in cells:
            print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())

    def record(self, data: dict[str, Any], fields: Sequence[Column]) -> None:
        """One item as `field  value` lines."""
        if self.json:
            self.emit_json(data)
            return
        width = max(len(header) for header, _ in fields)
        for header, key in fields:
            print(f"{header.ljust(width)}  {_cell(data.get(key), limit=None)}")

    def created(self, text: str, data: dict[str, Any]) -> None:
        """A create command: the new id (or token) alone, so `$(herald … create)` captures it."""
        if self.json:
            self.emit_json(data)
        else:
            print(text)

    def done(self, text: str, data: dict[str, Any]) -> None:
        if self.json:
            self.emit_json(data)
        else:
            print(text)

    def note(self, text: str) -> None:
        """A remark for the person at the terminal; kept off stdout so piped output stays clean."""
        print(text, file=sys.stderr)

    @contextmanager
    def progress(self, label: str, total: int) -> Iterator[Advance]:
        """A progress bar with counts on stderr (rich), so stdout keeps the result only."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task(label, total=total)

            def advance(count: int = 1) -> None:
                bar.advance(task, count)

            yield advance
