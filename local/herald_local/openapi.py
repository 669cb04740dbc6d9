"""The committed OpenAPI documents: `write` regenerates them from the resolvers, `check` fails on drift.

Usage: python -m herald_local.openapi write|check
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from herald_local.functions import load_module
from herald_local.template import ROOT, Template

OPENAPI_DIR = ROOT / "openapi"


def documents() -> dict[str, dict[str, Any]]:
    """OpenAPI document of every function that serves HTTP routes, keyed by its function folder."""
    os.environ.setdefault("TABLE_NAME", "openapi")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    served = {route.function for route in Template().http_routes()}
    docs = {}
    for name, spec in Template().functions().items():
        if name not in served:
            continue
        module = load_module(spec)
        schema = json.loads(module.app.get_openapi_json_schema())
        docs[Path(spec.code_uri).name] = _herald_errors(schema)
    return docs


COMMON_ERRORS = {
    "400": "Invalid request, in the family's error shape",
    "401": "Missing or invalid API key",
    "403": "The key lacks the route's scope",
    "404": "Unknown id, another organization's id, or no such route",
    "413": "Request body larger than 256 KB",
    "429": "Too many requests for this key (Retry-After says when to try again)",
}


def _herald_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Herald answers request validation errors with 400 in the family's shape, not Powertools' 422."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "204" in responses:  # No Content has no body, whatever the handler's annotation says
                responses["204"].pop("content", None)
            # Powertools' own 422 (request validation); a 422 a route documents itself stays
            if responses.get("422", {}).get("description") == "Validation Error" and responses.pop("422"):
                responses.setdefault("400", {"description": "Validation error, in the family's error shape"})
            # What every family's entry point can answer (herald/api/family.py), whatever the route.
            for status, description in COMMON_ERRORS.items():
                responses.setdefault(status, {"description": description})
    schema.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
    schema.get("components", {}).get("schemas", {}).pop("ValidationError", None)
    return schema


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    mode = argv[1] if len(argv) > 1 else "check"
    OPENAPI_DIR.mkdir(exist_ok=True)
    drift = []
    for folder, doc in documents().items():
        path = OPENAPI_DIR / f"{folder}.json"
        text = render(doc)
        if mode == "write":
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
        elif not path.exists() or path.read_text() != text:
            drift.append(str(path.relative_to(ROOT)))
    if drift:
        print(
            "OpenAPI documents differ from the code: " + ", ".join(drift) + " (run `make openapi`)",
            file=sys.stderr,
        )
        return 1
    if mode == "check":
        print("OpenAPI documents match the code")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
