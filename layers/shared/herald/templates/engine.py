"""The template engine: Jinja2's SandboxedEnvironment with per-kind escaping, a time limit and a size limit.

A template is rendered with the event (`title`, `message`, `severity`, `status`, `labels`, `monitorId`,
`service`, `dedupKey`, `url`, `eventId`, `createdAt`, `headline`, `summary`), the destination (`name`,
`kind`) and the org (`name`). Printed values are escaped for the kind (herald.templates.escaping)."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import Any

from jinja2 import Template, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError, TemplateAssertionError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from herald.senders.render import Notification
from herald.senders.render import Wording as Rendered
from herald.templates import escaping
from herald.templates.spec import Spec as Spec  # re-exported: engine.Spec is the public name

KINDS = ("email", "slack", "discord", "teams", "telegram", "pagerduty", "sms", "voice", "webhook", "http")
BODY_KINDS = frozenset({"webhook", "http"})
MAX_TEMPLATE_CHARS = 16_000
MAX_OUTPUT_CHARS = 64_000
MAX_SECONDS = 0.5
MAX_RANGE = 1_000
# Filters and str methods that build a string from a number the template chooses (`'%999999999s'|format`,
# `'x'.ljust(10**9)`): removed, so no template can allocate past the size limit in one step.
_UNBOUNDED_FILTERS = ("center", "format", "indent", "wordwrap", "filesizeformat")
_UNBOUNDED_METHODS = frozenset({"format", "format_map", "center", "ljust", "rjust", "zfill", "expandtabs"})


class TemplateFailed(Exception):
    """A template that cannot render: `line` (1-based, when known) and `reason` in words."""

    def __init__(self, field: str, reason: str, line: int | None = None) -> None:
        self.field, self.reason, self.line = field, reason, line
        where = f"{field}, line {line}" if line else field
        super().__init__(f"{where}: {reason}")


class _Sandbox(SandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%":
            raise SecurityError("the % operator is not allowed in templates")
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("the exponent is too large")
        if operator == "*":
            sized, count = (left, right) if isinstance(right, int) else (right, left)
            if (
                isinstance(sized, str | list | tuple)
                and isinstance(count, int)
                and len(sized) * count > MAX_OUTPUT_CHARS
            ):
                raise SecurityError("the repetition is larger than the output limit")
        return super().call_binop(context, operator, left, right)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in _UNBOUNDED_METHODS:
            return False
        return bool(super().is_safe_attribute(obj, attr, value))


def _limited_range(*args: int) -> range:
    found = range(*args)
    if len(found) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE} items")
    return found


class _Raw(str):
    """Text a filter made that must be printed as is (`tojson`'s JSON), not escaped again."""


def _to_json(value: Any) -> _Raw:
    return _Raw(json.dumps(value, ensure_ascii=False))


def _environment(escape: escaping.Escaper) -> _Sandbox:
    def finalize(value: Any) -> Any:
        if value is None:
            return ""
        return value if isinstance(value, Markup | _Raw) else escape(str(value))  # Markup: `| safe`

    env = _Sandbox(autoescape=False, finalize=finalize, keep_trailing_newline=False)
    for name in _UNBOUNDED_FILTERS:
        env.filters.pop(name, None)
    env.filters["tojson"] = _to_json
    env.globals = {"range": _limited_range, "dict": dict}  # no lipsum, cycler, joiner, namespace
    return env


_ENVIRONMENTS: dict[escaping.Escaper, _Sandbox] = {}


def _env(escape: escaping.Escaper) -> _Sandbox:
    env = _ENVIRONMENTS.get(escape)
    if env is None:
        env = _ENVIRONMENTS[escape] = _environment(escape)
    return env


@functools.lru_cache(maxsize=256)
def _compiled(escape: escaping.Escaper, source: str) -> Template:
    """Compiled once per container: deliveries render the same few templates again and again."""
    return _env(escape).from_string(source)


def context_for(notification: Notification, destination_name: str, kind: str, org_name: str) -> dict[str, Any]:
    return {
        "eventId": notification.event_id,
        "title": notification.title,
        "message": notification.message,
        "severity": notification.severity,
        "status": notification.status,
        "labels": dict(notification.labels),
        "monitorId": notification.monitor_id,
        "service": notification.service,
        "dedupKey": notification.dedup_key,
        "url": notification.url,
        "createdAt": notification.created_at,
        "headline": notification.headline,
        "summary": notification.summary,
        "destination": {"name": destination_name, "kind": kind},
        "org": {"name": org_name},
    }


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raises inside the template's own code once `seconds` have passed: a loop that prints nothing
    (`{% for a in x %}{% for b in x %}…`) is stopped as surely as one that prints."""
    until = time.monotonic() + seconds
    previous = sys.gettrace()

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > until:
            raise SecurityError(f"rendering took longer than {seconds:g} s")
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_filename == "<template>":
            return local
        return None

    sys.settrace(calls)
    try:
        yield
    finally:
        sys.settrace(previous)


def render_part(field: str, source: str, context: Mapping[str, Any], escape: escaping.Escaper) -> str:
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateFailed(field, f"the template is longer than {MAX_TEMPLATE_CHARS} characters")
    try:
        template = _compiled(escape, source)
    except TemplateSyntaxError as error:
        raise TemplateFailed(field, _reason(error), error.lineno) from None
    out: list[str] = []
    size = 0
    try:
        with _deadline(MAX_SECONDS):
            for chunk in template.generate(dict(context)):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise SecurityError(f"the output is longer than {MAX_OUTPUT_CHARS} characters")
                out.append(chunk)
    except SecurityError as error:
        raise TemplateFailed(field, f"not allowed: {error}", _runtime_line(error)) from None
    except UndefinedError as error:
        raise TemplateFailed(field, str(error), _runtime_line(error)) from None
    except Exception as error:  # a template error in the author's code, not Herald's: report it, never raise
        raise TemplateFailed(field, f"{type(error).__name__}: {error}", _runtime_line(error)) from None
    return "".join(out)


def _runtime_line(error: BaseException) -> int | None:
    """Jinja rewrites a render error's traceback so that the template's frame carries the template's line."""
    trace, line = error.__traceback__, None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _reason(error: TemplateSyntaxError) -> str:
    reason = (error.message or "syntax error").rstrip(".")
    return reason if isinstance(error, TemplateAssertionError) else f"syntax error: {reason}"


def render(kind: str, spec: Spec, context: Mapping[str, Any]) -> Rendered:
    """Renders every part the spec has; raises TemplateFailed (the part, its line and the reason)."""
    title = text = html = body = None
    if spec.title:
        title = render_part("title", spec.title, context, escaping.TITLE_ESCAPERS[kind]).strip()
    if spec.text:
        text = render_part("text", spec.text, context, escaping.TEXT_ESCAPERS[kind])
        if kind == "email":
            html = render_part("text", spec.text, context, escaping.email_html)
    if spec.body and kind in BODY_KINDS:
        body = render_part("body", spec.body, context, escaping.json_string)
        try:
            json.loads(body)
        except ValueError as error:
            line = getattr(error, "lineno", None)
            raise TemplateFailed("body", f"does not render to valid JSON: {error.args[0]}", line) from None
    return Rendered(title=title, text=text, html=_email_html(html) if html is not None else None, body=body)


def _email_html(inner: str) -> str:
    return f'<html><body><div style="white-space:pre-wrap">{inner}</div></body></html>'
