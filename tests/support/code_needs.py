"""What each Lambda function's code can do to AWS, read from the source: the herald modules a function's
app.py imports (transitively), and the DynamoDB and KMS calls in them. The IAM test compares this with the
grants in template.yaml, so a role grants exactly what its code uses."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from herald_local.template import ROOT

LIBRARY = ROOT / "layers" / "shared"

# boto3 calls (client or Table resource) and the IAM action each needs
CALLS = {
    "get_item": "dynamodb:GetItem",
    "put_item": "dynamodb:PutItem",
    "update_item": "dynamodb:UpdateItem",
    "delete_item": "dynamodb:DeleteItem",
    "query": "dynamodb:Query",
    "scan": "dynamodb:Scan",
    "batch_get_item": "dynamodb:BatchGetItem",
    "batch_writer": "dynamodb:BatchWriteItem",
    "batch_write_item": "dynamodb:BatchWriteItem",
}
# TransactWriteItems is authorised per item: each Put/Update/Delete/ConditionCheck needs its own action
TRANSACT_PARTS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}
_CALL = re.compile(r"\.(\w+)\(")
# importlib.import_module(f"herald.<package>.{name}"): every module of that package may be imported
_DYNAMIC_IMPORT = re.compile(r"import_module\(f[\"'](herald(?:\.\w+)+)\.\{")
_TRANSACT_PART = re.compile(r"[\"'](Put|Update|Delete|ConditionCheck)[\"']\s*:")


def _module_file(name: str) -> Path | None:
    path = LIBRARY.joinpath(*name.split("."))
    if (path / "__init__.py").exists():
        return path / "__init__.py"
    return path.with_suffix(".py") if path.with_suffix(".py").exists() else None


def _imported(source: Path) -> list[Path]:
    found = []
    for package in _DYNAMIC_IMPORT.findall(source.read_text()):
        found += sorted(LIBRARY.joinpath(*package.split(".")).glob("*.py"))
    for node in ast.walk(ast.parse(source.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for name in names:
            parts = name.split(".")
            if parts[0] != "herald":
                continue
            for end in range(2, len(parts) + 1):  # a package's __init__ runs too
                if (module := _module_file(".".join(parts[:end]))) is not None:
                    found.append(module)
    return found


@cache
def modules(app: Path) -> frozenset[Path]:
    """app.py and every herald module it imports, directly or not."""
    seen: set[Path] = set()
    todo = [app]
    while todo:
        source = todo.pop()
        if source not in seen:
            seen.add(source)
            todo.extend(_imported(source))
    return frozenset(seen)


def dynamodb_actions(app: Path) -> set[str]:
    actions = set()
    for source in modules(app):
        text = source.read_text()
        actions |= {CALLS[call] for call in _CALL.findall(text) if call in CALLS}
        # a {"Put"|"Update"|"Delete"|"ConditionCheck": …} part, wherever it is built, goes to TransactWriteItems
        actions |= {TRANSACT_PARTS[part] for part in _TRANSACT_PART.findall(text)}
    return actions


def authenticates(app: Path) -> bool:
    """The function checks API keys (herald.auth), so it reads the KEY# items."""
    return any(source.parent.name == "auth" and source.parent.parent.name == "herald" for source in modules(app))


def decrypts_secrets(app: Path) -> bool:
    return any("secrets.unseal(" in source.read_text() for source in modules(app))


def seals_secrets(app: Path) -> bool:
    return any("secrets.seal(" in source.read_text() for source in modules(app))


# Settings fields and the environment variables they are read from, as herald/settings.py maps them
_SETTINGS = LIBRARY / "herald" / "settings.py"
_FIELD_VARIABLE = re.compile(r"\"(\w+)\": [^\n]*?\"((?:HERALD|TABLE)_\w+)\"")


@cache
def settings_variables() -> dict[str, str]:
    return dict(_FIELD_VARIABLE.findall(_SETTINGS.read_text()))


def environment_reads(app: Path, queue_variables: frozenset[str]) -> set[str]:
    """The environment variables a function's code reads: through a settings field it uses, by name, or (the
    POWERTOOLS_ ones) through Powertools. `settings.py` itself is left out: it parses every variable."""
    reads: set[str] = set()
    for source in modules(app):
        if source == _SETTINGS:
            continue
        text = source.read_text()
        reads |= {var for field, var in settings_variables().items() if re.search(rf"\.{field}\b", text)}
        if re.search(r"\.queue_urls?\b", text):
            reads |= queue_variables
        reads |= set(re.findall(r"[\"']((?:HERALD|POWERTOOLS)_[A-Z_]+)[\"']", text))
        if "aws_lambda_powertools" in text:
            reads |= {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
    return reads
