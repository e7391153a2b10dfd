"""Every picture in the user guide is taken by a browser test (so `make docs` refreshes it) and is in the repo."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "panduan"
IMAGE_REF = re.compile(r"!\[[^\]]*\]\((?:\./)?img/([^)\s]+)\.png\)")


def _referenced() -> dict[str, list[str]]:
    refs: dict[str, list[str]] = {}
    for page in sorted(GUIDE.rglob("*.md")):
        for name in IMAGE_REF.findall(page.read_text(encoding="utf-8")):
            refs.setdefault(name, []).append(str(page.relative_to(ROOT)))
    return refs


def _produced() -> set[str]:
    """Names passed as a literal to `guide_shot(...)` in the browser tests."""
    names = set()
    for module in (ROOT / "tests" / "browser").glob("test_*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "guide_shot"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def test_every_guide_picture_is_taken_by_a_browser_test():
    referenced = _referenced()
    assert referenced, "the guide shows no picture at all: the check would be empty"
    missing = {name: pages for name, pages in referenced.items() if name not in _produced()}
    assert not missing, f"pictures no browser test takes (guide_shot): {missing}"


def test_every_guide_picture_is_in_the_repository():
    absent = [name for name in _referenced() if not (GUIDE / "img" / f"{name}.png").is_file()]
    assert not absent, f"run `make docs` and commit docs/panduan/img/: {absent}"
