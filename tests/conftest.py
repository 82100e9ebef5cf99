"""Shared fixtures: the sample input, variants of it, and one build of the sample."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "kpu-kota-serang" / "2023.yaml"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_data() -> dict:
    return yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def make_input(tmp_path, sample_data):
    """Write a variant of the sample: ``make_input(lambda d: ...)`` returns its path."""

    def make(mutate=None, name: str = "2023.yaml", text: str | None = None) -> Path:
        path = tmp_path / "inputs" / "kantor" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            data = copy.deepcopy(sample_data)
            if mutate:
                mutate(data)
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return make


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample built once (DOCX + XLSX) for the tests that read the documents."""
    from kpu_docs.publish.build import build

    out = tmp_path_factory.mktemp("out")
    results = build([SAMPLE], out)
    assert results[0].ok, results[0].reason
    return results[0].destination


@pytest.fixture(scope="session")
def sample_docx(sample_build) -> Path:
    return next(sample_build.glob("*.docx"))


@pytest.fixture(scope="session")
def sample_xlsx(sample_build) -> Path:
    return next(sample_build.glob("lampiran-*.xlsx"))


def program(data: dict, code: str) -> dict:
    return next(p for p in data["program"] if p["kode"] == code)


def node(data: dict, code: str) -> dict:
    """A node of the input's budget tree by full code."""
    stack = list(data["program"])
    while stack:
        n = stack.pop()
        if n["kode"] == code:
            return n
        for key in ("kegiatan", "output", "sub_output", "rincian"):
            stack += n.get(key, [])
    raise KeyError(code)


def context_leaves(value):
    """Every value at the leaves of a nested dict/list context (what a template can reach)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from context_leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from context_leaves(v)
    else:
        yield value


def soffice_available() -> bool:
    return shutil.which("soffice") is not None


@pytest.fixture(scope="session")
def template_resaved_by_libreoffice(tmp_path_factory) -> Path:
    """The default template opened and saved again by LibreOffice (as an office restyling it
    there would), once per test run. Only for tests marked to need LibreOffice."""
    import subprocess

    from kpu_docs.render.docx.templating import default_template

    folder = tmp_path_factory.mktemp("resaved")
    source = folder / "asli.docx"
    shutil.copyfile(default_template(), source)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(folder / "lo"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    resaved = folder / "lo" / "asli.docx"
    assert resaved.read_bytes() != source.read_bytes()
    return resaved
