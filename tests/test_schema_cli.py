"""The published schema, the installed command and the build's all-or-nothing writing."""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest

from kpu_docs.cli.main import main
from kpu_docs.input.schema import schema

from .conftest import ROOT, node

COMMITTED = ROOT / "schema" / "laporan-tahunan.schema.json"


def test_committed_schema_is_current():
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == schema(), "run: kpu-docs schema --out " + str(COMMITTED)


def test_sample_references_the_schema_and_satisfies_it(sample_path, sample_data):
    first = sample_path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/laporan-tahunan.schema.json"
    as_json = json.loads(json.dumps(sample_data, default=str))
    jsonschema.validate(as_json, schema())


def test_schema_catches_a_typo_too(sample_data):
    bad = json.loads(json.dumps(sample_data, default=str))
    node(bad, "CQ.6709.QGE.001")["realsasi"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema())


@pytest.mark.skipif(shutil.which("kpu-docs") is None, reason="kpu-docs is not installed (pip install .)")
def test_installed_command_runs_from_any_directory(tmp_path, sample_path):
    done = subprocess.run(
        ["kpu-docs", "build", str(sample_path), "--out", str(tmp_path / "o"), "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.suffix for p in (tmp_path / "o" / "kpu-kota-serang" / "2023").iterdir()) == [
        ".docx",
        ".xlsx",
        ".xlsx",
    ]


def test_bad_input_writes_nothing_and_keeps_the_input(make_input, tmp_path, capsys):
    path = make_input(lambda d: node(d, "076.01.WA").update(pagu=1))
    before = path.read_bytes()
    out = tmp_path / "out"
    assert main(["build", str(path), "--out", str(out)]) == 1
    assert "galat" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert not any(p.is_file() for p in out.rglob("*")) if out.exists() else True


def test_rebuild_is_byte_identical_and_reports_unchanged(sample_path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(sample_path), "--out", str(out), "-q"]) == 0
    first = {p.name: p.read_bytes() for p in (out / "kpu-kota-serang" / "2023").iterdir()}
    capsys.readouterr()
    assert main(["build", str(sample_path), "--out", str(out), "-q"]) == 0
    assert "tidak berubah" in capsys.readouterr().out
    second = {p.name: p.read_bytes() for p in (out / "kpu-kota-serang" / "2023").iterdir()}
    assert first == second
    leftovers = [p for p in out.rglob(".kpu-docs-*")]
    assert not leftovers


def test_console_entry_flushes_before_its_quick_exit(sample_path):
    """`kpu-docs` / `python -m kpu_docs` skip the interpreter's teardown (os._exit) but still
    deliver everything printed, through a pipe, with the exit code of main()."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a pipe is block-buffered
    done = subprocess.run(
        [sys.executable, "-m", "kpu_docs", "validate", str(sample_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    # WA.3355 over its pagu, the missing logo, two nodes below 80 % with no kendala (issue 14)
    assert done.stdout.rstrip().endswith("0 galat, 4 peringatan, 0 info")
    assert done.stdout.count("PERINGATAN") == 4
    bad = subprocess.run(
        [sys.executable, "-m", "kpu_docs", "validate", str(sample_path) + ".tidak-ada"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert bad.returncode == 1 and "tidak" in bad.stdout + bad.stderr
