"""The shared layer leaves out the Powertools utilities Herald never imports (layers/shared/Makefile's
UNUSED): nothing in Herald, nor in the Powertools modules that stay, may import one of them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import aws_lambda_powertools

ROOT = Path(__file__).resolve().parents[2]
POWERTOOLS = Path(aws_lambda_powertools.__file__).parent


def unused() -> set[str]:
    found = re.search(r"^UNUSED := (.+)$", (ROOT / "layers/shared/Makefile").read_text(), re.MULTILINE)
    assert found is not None
    return set(found.group(1).split())


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def pruned_imports(files: list[Path], pruned: set[str]) -> list[str]:
    prefixes = tuple(f"aws_lambda_powertools.utilities.{name}" for name in pruned)
    return [f"{path}: {module}" for path in files for module in imported_modules(path) if module.startswith(prefixes)]


def test_the_layer_leaves_out_only_utilities_that_exist() -> None:
    assert unused() and all((POWERTOOLS / "utilities" / name).is_dir() for name in unused())


def test_herald_never_imports_a_utility_the_layer_leaves_out() -> None:
    files = [*(ROOT / "layers/shared/herald").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    assert pruned_imports(files, unused()) == []


def test_the_powertools_modules_the_layer_keeps_never_import_one_it_leaves_out() -> None:
    pruned_dirs = [POWERTOOLS / "utilities" / name for name in unused()]
    kept = [p for p in POWERTOOLS.rglob("*.py") if not any(d in p.parents for d in pruned_dirs)]
    assert pruned_imports(kept, unused()) == []
