"""`herald templates preview`: the provider request a delivery would make, printed as the API answers it.

    herald templates preview --kind slack --event events/events/submit-event.json [--org ORG]
        [--destination grafana:<uid>] [--title T] [--text T] [--body B | --template FILE]

The event file is an event (`{"status": …, "title": …}`) or an API Gateway event whose body is one (the
files under events/). Without --title/--text/--body/--template, the org's saved template applies (none
without --org: Herald's own wording)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

PREVIEW_ORG = "cli-preview"  # no such org: no saved templates, no destinations


def register(commands: Any, configure: Callable[[str], None]) -> None:
    from herald.templates.engine import KINDS

    templates = commands.add_parser("templates", help="message templates").add_subparsers(dest="action", required=True)
    preview = templates.add_parser("preview", help="print the provider request a delivery would make (sends nothing)")
    preview.add_argument("--kind", required=True, choices=KINDS, help="the delivery kind whose request to show")
    preview.add_argument("--event", required=True, help="JSON file: an event, or an API Gateway event carrying one")
    preview.add_argument("--org", help="organization id: its saved templates and destinations apply")
    preview.add_argument("--destination", help="destinationRef, e.g. grafana:<uid> (needs --org)")
    preview.add_argument("--title", help="template title (instead of the saved template)")
    preview.add_argument("--text", help="template text")
    preview.add_argument("--body", help="template body (webhook, http)")
    preview.add_argument("--template", help="JSON file with title/text/body")
    preview.set_defaults(run=lambda args: run_preview(args, configure))


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except OSError as error:
        raise ValueError(f"cannot read the {what} file {path}: {error.strerror}") from None
    except ValueError as error:
        raise ValueError(f"the {what} file {path} is not JSON: {error}") from None


def _event(path: str) -> Any:
    found = _read_json(path, "event")
    if isinstance(found, dict) and "routeKey" in found and isinstance(found.get("body"), str):
        try:
            return json.loads(found["body"])  # an API Gateway event: the request body is the event
        except ValueError:
            raise ValueError(f"the body of the API Gateway event in {path} is not JSON") from None
    return found


def _request(args: argparse.Namespace) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": args.kind, "event": _event(args.event)}
    template = _read_json(args.template, "template") if args.template else {}
    if not isinstance(template, dict):
        raise ValueError("the template file must hold a JSON object with title, text or body")
    for name in ("title", "text", "body"):
        if getattr(args, name) is not None:
            template[name] = getattr(args, name)
    if template:
        body["template"] = template
    if args.destination:
        if not args.org:
            raise ValueError("--destination needs --org")
        body["destinationRef"] = args.destination
    return body


def run_preview(args: argparse.Namespace, configure: Callable[[str], None]) -> int:
    from pydantic import ValidationError

    from herald.errors import HeraldError
    from herald.models.templates import PreviewIn
    from herald.templates import service

    try:
        request = PreviewIn.model_validate(_request(args))
        configure(args.stack)
        answer = service.run_preview(args.org or PREVIEW_ORG, request)
    except ValueError as error:
        if isinstance(error, ValidationError):
            print(f"herald: invalid preview request: {_pydantic_words(error)}", file=sys.stderr)
        else:
            print(f"herald: {error}", file=sys.stderr)
        return 2
    except HeraldError as error:
        print(f"herald: {error.message}", file=sys.stderr)
        return 2
    print(json.dumps(answer.model_dump(), indent=2, ensure_ascii=False))
    return 0


def _pydantic_words(error: Any) -> str:
    parts = []
    for detail in error.errors():
        where = ".".join(str(p) for p in detail.get("loc", ()))
        parts.append(f"{where}: {detail.get('msg', 'invalid value')}" if where else str(detail.get("msg")))
    return "; ".join(parts[:3]) + (f"; and {len(parts) - 3} more" if len(parts) > 3 else "")
