"""The docs cannot drift from the code: docs/data-model.md names every key prefix that the table-key
module builds and nothing else, and every route of template.yaml is named in a family page."""

from __future__ import annotations

import ast
import re

from herald_local.template import ROOT, Template

DOCS = ROOT / "docs"
KEYS_MODULE = ROOT / "layers" / "shared" / "herald" / "data" / "table_keys.py"
# A key part: upper-case words joined by '#', e.g. `ORG#`, `#LABEL#`, `COUNTER#ALERTS`, `EVENT`.
KEY_PART = re.compile(r"^#?[A-Z][A-Z0-9_]*(?:#[A-Z0-9_]+)*#?$")
# Pages that document an API family's routes (those present are read).
FAMILY_PAGES = ("alerts", "events", "influxdb", "grafana", "mackerel", "oncall", "intake", "console", "templates")


def literal_parts(node: ast.AST) -> list[str]:
    """The literal pieces of a string constant or f-string (format specs left out)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return []


def code_key_parts() -> set[str]:
    """Every key part table_keys.py builds: the literal pieces of its strings that look like key text."""
    tree = ast.parse(KEYS_MODULE.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    parts: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue):
            continue
        if id(node) in docstrings or not isinstance(node, ast.Constant | ast.JoinedStr):
            continue
        parts.update(part for part in literal_parts(node) if KEY_PART.match(part))
    return parts


def documented_key_parts(text: str) -> tuple[set[str], set[str]]:
    """Key parts in the page's code spans: (spans with a '#', bare upper-case spans such as `ORG`)."""
    hashed: set[str] = set()
    bare: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", text):
        for piece in re.split(r"<[^>]*>|\{[^}]*\}|\s*/\s*|\s+", span):
            piece = piece.replace("\\|", "|").strip("|")
            if KEY_PART.match(piece):
                (hashed if "#" in piece else bare).add(piece)
    return hashed, bare


def test_data_model_names_every_key_prefix_and_nothing_else() -> None:
    built = code_key_parts()
    hashed, bare = documented_key_parts((DOCS / "data-model.md").read_text())
    assert "GRF#CH#" in built and "ORG#" in built  # the parser sees f-strings and module constants
    missing = sorted(part for part in built if part not in hashed | bare)
    unknown = sorted(part for part in hashed if part not in built)
    assert missing == [], f"table_keys.py builds these, docs/data-model.md does not name them: {missing}"
    assert unknown == [], f"docs/data-model.md names key parts table_keys.py never builds: {unknown}"


def test_every_template_route_is_named_in_a_family_page() -> None:
    pages = [DOCS / f"{name}.md" for name in FAMILY_PAGES if (DOCS / f"{name}.md").exists()]
    text = "\n".join(page.read_text() for page in pages)
    missing = [route.route_key for route in Template().http_routes() if f"`{route.route_key}`" not in text]
    assert missing == [], f"routes of template.yaml no family page names (docs/<family>.md): {missing}"


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_links_between_the_docs_lead_somewhere() -> None:
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text(), flags=re.M)
                if anchor not in {slug(h) for h in headings}:
                    broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []
