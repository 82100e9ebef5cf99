"""Golden files: reference DOCX and XLSX for the sample offices, compared part by part.

``python -m tests.golden.update`` rebuilds them deliberately (see tests/README.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(__file__).resolve().parent / "reference"
# Built together, as `kpu-docs build inputs/` does: 2024 of the fictional office then gets its
# year-on-year sheet from 2023.
INPUTS = (
    ROOT / "inputs" / "kpu-kota-serang" / "2023.yaml",
    ROOT / "inputs" / "kpu-kabupaten-contoh" / "2023.yaml",
    ROOT / "inputs" / "kpu-kabupaten-contoh" / "2024.yaml",
    ROOT / "inputs" / "kpu-provinsi-contoh" / "2024.yaml",  # every optional block (issue 14)
)
KINDS = ("docx", "xlsx")
VERSIONS = REFERENCE / "versions.txt"
# The libraries whose version shapes the XML; a different version may change it legitimately.
WRITERS = ("docxtpl", "python-docx", "XlsxWriter", "Jinja2", "lxml")


def versions() -> str:
    from importlib.metadata import version

    return "".join(f"{name}=={version(name)}\n" for name in WRITERS)


def versions_note() -> str:
    """A hint when the references were written with other library versions than these."""
    recorded = VERSIONS.read_text(encoding="utf-8") if VERSIONS.exists() else ""
    if recorded == versions():
        return ""
    return (
        f"Note: the references were written with\n{recorded}and this run uses\n{versions()}"
        "so the difference may come from a library, not from kpu-docs.\n"
    )


def build_samples(out: Path) -> dict[str, Path]:
    """Build every sample input into ``out``; return ``office/year/file`` → built file."""
    from kpu_docs.publish.build import build

    results = build(list(INPUTS), out, jobs=1)
    failed = [f"{r.input}: {r.reason}" for r in results if not r.ok]
    if failed:
        raise RuntimeError("sample build failed:\n" + "\n".join(failed))
    built = {}
    for result in results:
        for path in sorted(result.destination.iterdir()):
            if path.suffix.lstrip(".") in KINDS:
                built[path.relative_to(out).as_posix()] = path
    return built


def update(reference: Path = REFERENCE) -> list[str]:
    """Replace the reference files with a fresh build; return what changed (for the log)."""
    import tempfile

    from .normalise import parts

    with tempfile.TemporaryDirectory() as tmp:
        built = build_samples(Path(tmp))
        report = []
        stale = (
            {p.relative_to(reference).as_posix() for p in reference.rglob("*") if p.is_file()}
            if reference.exists()
            else set()
        )
        for name, path in built.items():
            target = reference / name
            if not target.exists():
                report.append(f"new      {name}")
            elif parts(target) != parts(path):
                report.append(f"changed  {name}")
            else:
                report.append(f"same     {name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            stale.discard(name)
        VERSIONS.write_text(versions(), encoding="utf-8")
        stale.discard(VERSIONS.name)
        for name in sorted(stale):
            (reference / name).unlink()
            report.append(f"removed  {name}")
    return report
