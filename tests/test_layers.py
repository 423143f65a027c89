"""The layers keep to their jobs: listeners in handlers/ know Slack and call the domain; they
neither import storage/ nor open database sessions themselves, and the domain knows no Slack."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).glob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        found[path.name] = names
    return found


def test_handlers_import_nothing_from_storage() -> None:
    offending = {
        module: sorted(name for name in names if name.split(".")[0] == "storage")
        for module, names in imported_modules("handlers").items()
    }
    assert {module: names for module, names in offending.items() if names} == {}


def test_handlers_open_no_sessions() -> None:
    opening = [
        path.name
        for path in (ROOT / "handlers").glob("*.py")
        if ".reading()" in path.read_text() or ".writing()" in path.read_text()
    ]
    assert opening == []


def test_the_domain_knows_no_slack() -> None:
    offending = {
        module: sorted(name for name in names if name.split(".")[0] in ("slack_bolt", "slack_sdk"))
        for module, names in imported_modules("scorecard").items()
    }
    assert {module: names for module, names in offending.items() if names} == {}
