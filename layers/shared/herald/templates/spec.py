"""What a user wrote for a template, apart from the engine: reading templates needs no Jinja2."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    """What a user wrote for one kind (or one destination): any of the three parts."""

    title: str | None = None
    text: str | None = None
    body: str | None = None

    def parts(self) -> dict[str, str]:
        return {
            name: value for name, value in (("title", self.title), ("text", self.text), ("body", self.body)) if value
        }
