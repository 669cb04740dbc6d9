"""`herald-local sam-template`: template.yaml for `sam local invoke` against the local stack.

`sam local invoke --env-vars` only sets variables the template declares, and template.yaml does not
declare AWS_ENDPOINT_URL (a deployed function must talk to AWS itself). This writes `.sam-local.yaml`
beside template.yaml (so CodeUri paths still resolve): the same template with AWS_ENDPOINT_URL declared
in Globals, which env.json then points at the local stack.
"""

from __future__ import annotations

import sys
from pathlib import Path

from herald_local.template import ROOT, TEMPLATE

OUTPUT = ROOT / ".sam-local.yaml"
MARKER = "  Function:\n"


def local_template(text: str) -> str:
    """Declares AWS_ENDPOINT_URL first among the Globals' function variables."""
    globals_at = text.index("\nGlobals:\n")
    variables_at = text.index("      Variables:\n", text.index(MARKER, globals_at))
    insert_at = variables_at + len("      Variables:\n")
    return text[:insert_at] + '        AWS_ENDPOINT_URL: ""\n' + text[insert_at:]


def main(output: Path = OUTPUT) -> int:
    try:
        output.write_text(local_template(TEMPLATE.read_text()))
    except (OSError, ValueError) as error:
        print(f"herald-local sam-template: {error}", file=sys.stderr)
        return 1
    print(
        f"wrote {output.name}; then, with `make run` up and Docker:\n"
        f"  sam local invoke -t {output.name} --env-vars env.json --docker-network host"
        " AlertsFunction -e events/uptime/list-alerts.json"
    )
    return 0
