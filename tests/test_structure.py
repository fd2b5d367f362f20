"""The structure the code keeps beyond what ``lint-imports`` checks (``[tool.importlinter]`` in
pyproject.toml): a module's private names (``_name``) are its own. What another module needs is
given a public name where it is defined, so that a change inside a module cannot break another
one silently."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pipeline", "classifiers", "crawlers", "flows", "yuqing")


def _private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
            found += [f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    files = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    assert len(files) > 100
    assert [hit for p in files for hit in _private_imports(p)] == []
