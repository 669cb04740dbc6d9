"""What a section produces (tables, notes, targets, numbers for later sections) and its Markdown."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    title: str = ""

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def markdown(self) -> str:
        def esc(cell: str) -> str:
            return cell.replace("|", "\\|").replace("\n", " ")

        lines = []
        if self.title:
            lines += [f"**{self.title}**", ""]
        lines.append("| " + " | ".join(esc(h) for h in self.headers) + " |")
        lines.append("|" + "|".join("---" for _ in self.headers) + "|")
        lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines)


@dataclass
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured
    row: str = ""  # the key of the targets-table row it answers (bench/targets.py), if any
    why: str = ""  # when not met: why, and where the floor is

    @property
    def verdict(self) -> str:
        return "not measured" if self.met is None else ("met" if self.met else "not met")


@dataclass
class Section:
    number: int
    title: str
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    error: str | None = None

    def markdown(self) -> str:
        parts = [f"## {self.number}. {self.title}", ""]
        for table in self.tables:
            parts += [table.markdown(), ""]
        parts += [f"- {note}" for note in self.notes]
        if self.notes:
            parts.append("")
        parts += [
            f"_Section time: {self.seconds:.1f} s wall, {self.cpu_seconds:.1f} s CPU (this process and the "
            "processes it started)._",
            "",
        ]
        return "\n".join(parts)


def failed_section(number: int, title: str, error: BaseException) -> Section:
    """A section that raised: its table says so, the run goes on."""
    detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    table = Table(["error", "where"])
    table.add(detail, f"{where.filename}:{where.lineno}" if where else "")
    section = Section(number, title, tables=[table], error=detail)
    section.targets = []
    return section


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}×"


def fmt_money(value: float) -> str:
    return f"${value:.2f}" if value >= 0.1 else f"${value:.3f}"
