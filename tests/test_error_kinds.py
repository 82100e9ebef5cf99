"""Each refusal has a kind (kpu_docs.errors): callers and tests tell them apart by class, not wording."""

from __future__ import annotations

import pytest

from kpu_docs import errors
from kpu_docs.cli.main import main
from kpu_docs.errors import ImageError, ImportRefused, KpuDocsError, OutputError
from kpu_docs.input.next_year import start_next_year
from kpu_docs.input.pictures import load_picture
from kpu_docs.publish.outputs import staging
from kpu_docs.sakti.files import read_tables


def test_every_kind_is_reported_as_a_message():
    kinds = [errors.UsageError, errors.TemplateError, ImageError, ImportRefused, OutputError, errors.PdfError]
    assert all(issubclass(kind, KpuDocsError) for kind in kinds)
    assert len(set(kinds)) == len(kinds)


def test_image_outside_the_input_folder_is_an_image_error(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "logo.png").write_bytes(b"\x89PNG")
    with pytest.raises(ImageError):
        load_picture(tmp_path / "in", "../logo.png")


def test_missing_or_empty_export_is_refused(tmp_path):
    with pytest.raises(ImportRefused):
        read_tables(tmp_path / "tidak-ada.xlsx")
    (tmp_path / "kosong.csv").write_bytes(b"")
    with pytest.raises(ImportRefused):
        read_tables(tmp_path / "kosong.csv")


def test_next_year_never_overwrites(tmp_path, sample_path):
    target = tmp_path / "2024.yaml"
    target.write_text("punya orang\n", encoding="utf-8")
    with pytest.raises(OutputError):
        start_next_year(sample_path, 2024, target)
    assert target.read_text(encoding="utf-8") == "punya orang\n"


def test_output_root_that_is_a_file_is_an_output_error(tmp_path):
    root = tmp_path / "keluaran"
    root.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError), staging(root):
        pass


def test_usage_errors_exit_1_without_traceback(tmp_path, capsys):
    assert main(["build", str(tmp_path), "--out", str(tmp_path / "out")]) == 1  # no .yaml in the folder
    err = capsys.readouterr().err
    assert "Traceback" not in err and "tidak ada berkas masukan" in err


def test_a_reader_that_goes_away_is_not_an_error():
    """``kpu-docs diff a b | head -1``: the rest of the output has nowhere to go; the command
    ends quietly (no "Broken pipe" message) with the shell's status for it."""
    import subprocess
    import sys
    from pathlib import Path

    office = Path(__file__).resolve().parents[1] / "inputs" / "kpu-kabupaten-contoh"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kpu_docs", "diff", str(office / "2023.yaml"), str(office / "2024.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read().decode()
    assert proc.wait() in (0, 141) and "Broken pipe" not in err and "EPIPE" not in err, err
