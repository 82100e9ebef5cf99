"""The stage packages import only from the stages above them (ARCHITECTURE.md).

Data flows one way: input → figures → checks → render → publish, with the side commands
(sakti, report_import, web) and the command line on top. A module that imports from a later
stage would make that flow circular; this test names the offending import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kpu_docs"

# Shared by every stage: error kinds, the domain vocabulary, Indonesian numbers both ways.
BASE = {"errors", "vocabulary", "formatting"}
ORDER = ["input", "figures", "checks", "render", "publish", "sakti", "report_import", "web", "cli"]
SIBLINGS = {"render.docx", "render.xlsx"}  # neither imports the other; both use render's own modules


def _stage(module: str) -> str:
    """``kpu_docs.render.docx.context`` → ``render.docx``; ``kpu_docs.errors`` → ``errors``."""
    parts = module.split(".")[1:]
    if parts[:1] == ["render"] and len(parts) > 1 and parts[1] in {"docx", "xlsx"}:
        return ".".join(parts[:2])
    return parts[0] if parts else ""


def _rank(stage: str) -> int:
    return ORDER.index(stage.split(".")[0])


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "kpu_docs":
                found += [(node.lineno, f"kpu_docs.{alias.name}") for alias in node.names]
            elif node.module.startswith("kpu_docs."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("kpu_docs.")]
    return found


def _module(path: Path) -> str:
    return ".".join(("kpu_docs", *path.relative_to(PACKAGE).with_suffix("").parts))


def violations() -> list[str]:
    """Every import that goes against the order, as ``path:line: target (why)``."""
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        here = _stage(_module(path))
        if here in {"__init__", "__main__"}:
            continue
        for line, target in _imports(path):
            there = _stage(target)
            where = f"{path.relative_to(PACKAGE.parent)}:{line}: {target}"
            if here in BASE:
                if there not in BASE:
                    wrong.append(f"{where} (the shared module {here} imports from the stage {there})")
            elif there in BASE or there == here or there.startswith("__"):  # the package root (__version__)
                continue
            elif there == here.split(".")[0]:  # render.docx and render.xlsx share render's own modules
                continue
            elif {here, there} == SIBLINGS:
                wrong.append(f"{where} ({here} and {there} are siblings)")
            elif _rank(there) >= _rank(here):
                wrong.append(f"{where} ({here} imports from the later stage {there})")
    return wrong


def test_every_module_belongs_to_a_known_stage():
    stages = {_stage(_module(p)) for p in PACKAGE.rglob("*.py")}
    unknown = stages - BASE - {"__init__", "__main__"} - {s for s in stages if s.split(".")[0] in ORDER}
    assert not unknown, f"add these to ORDER or BASE (and to ARCHITECTURE.md): {sorted(unknown)}"


def test_stages_import_only_from_earlier_stages():
    assert violations() == []


def test_the_check_notices_a_backward_import(tmp_path, monkeypatch):
    """The rule itself can fail: a figures module importing from render is reported."""
    fake = tmp_path / "kpu_docs"
    (fake / "figures").mkdir(parents=True)
    (fake / "figures" / "bad.py").write_text("from kpu_docs.render.docx.context import build_context\n")
    (fake / "input").mkdir()
    (fake / "input" / "ok.py").write_text("from kpu_docs.errors import KpuDocsError\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert violations() == [
        "kpu_docs/figures/bad.py:1: kpu_docs.render.docx.context (figures imports from the later stage render.docx)"
    ]
