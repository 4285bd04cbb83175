"""The apps' layers: data flows brands -> surveys -> scoring -> reports, the JSON API (api) is
another door above them, and the demo data sits above them all. An app imports only what comes before it, with two read-only exceptions the
workflow needs (surveys' views and workflow reach scoring through its selectors and the one
entry point `scoring.services.assessment_scored`, never through scoring's models)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ORDER = ["brands", "surveys", "scoring", "reports", "api", "demo"]
# What each app may import from the apps after it.
ALLOWED_LATER = {
    "brands": set(),
    "surveys": {"scoring.selectors", "scoring.services", "scoring.engine"},
    "scoring": set(),
    "reports": set(),
    "api": set(),
    "demo": set(),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from scoring import engine` names scoring.engine; a dotted module names itself too.
            if "." in node.module:
                names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _violations(app: str) -> list[str]:
    later = ORDER[ORDER.index(app) + 1 :]
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for name in _imports(path):
            top = name.split(".")[0]
            if top not in later:
                continue
            if any(name == ok or name.startswith(ok + ".") for ok in ALLOWED_LATER[app]):
                continue
            found.append(f"{path.relative_to(ROOT)} imports {name}")
    return sorted(set(found))


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_the_apps_before_it(app):
    assert _violations(app) == []


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The walk is real: a module of brands importing reports is reported."""
    fake = tmp_path / "brands"
    fake.mkdir()
    (fake / "bad.py").write_text("from reports.charts import level_name\nimport demo\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert _violations("brands") == [
        "brands/bad.py imports demo",
        "brands/bad.py imports reports.charts",
        "brands/bad.py imports reports.charts.level_name",
    ]
