"""Limits every family applies to a JSON body before its own validation: nesting depth and string length.

Deep nesting would exhaust the parser's recursion (a 500), and a megabyte-long name would reach DynamoDB's
400 KB item limit; both answer 400 in the family's own error shape, naming the field.
"""

from __future__ import annotations

import json
import re
from typing import Any

from herald.errors import ValidationFailed

MAX_DEPTH = 32
MAX_STRING_CHARS = 16_384

_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def check(body: str) -> None:
    if not body:
        return
    if depth(body) > MAX_DEPTH:
        raise ValidationFailed(f"Request body is nested deeper than {MAX_DEPTH} levels")
    try:
        parsed = json.loads(body)
    except ValueError:
        return  # the family's own validation words what is wrong with it
    too_long = _first_long_string(parsed, "")
    if too_long is not None:
        raise ValidationFailed(f"{too_long}: must be at most {MAX_STRING_CHARS} characters")


def depth(body: str) -> int:
    """How deep arrays and objects nest, brackets inside strings not counted."""
    deepest = level = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", body)):
        level += 1 if bracket in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def _first_long_string(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return (where or "body") if len(value) > MAX_STRING_CHARS else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for name, child in items:
        found = _first_long_string(child, f"{where}.{name}" if where else str(name))
        if found is not None:
            return found
    return None
