"""Loading refuses bad input with file, line, key path and what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpu_docs.errors import InputError
from kpu_docs.input.load import load

from .conftest import node


def problems(path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load(path)
    return [str(p) for p in exc.value.problems]


def test_sample_loads(sample_path):
    doc = load(sample_path)
    assert doc.data.year == 2023
    assert doc.data.office.name == "KPU Kota Serang"
    assert [p.code for p in doc.data.programs] == ["076.01.CQ", "076.01.WA"]


def test_money_as_indonesian_text_is_accepted(make_input):
    def mutate(d):
        node(d, "CQ.6709.QGE.001")["pagu"] = "Rp852.312.000"
        node(d, "CQ.6709.QGE.001")["realisasi"] = "851.584.516"

    ro = load(make_input(mutate)).data.programs[0].kegiatan[0].outputs[0].sub_outputs[0]
    assert (ro.pagu, ro.realisasi) == (852312000, 851584516)


def test_typo_in_key_is_refused_with_suggestion_and_line(make_input, sample_data):
    path = make_input(lambda d: node(d, "CQ.6709.QGE.001").update(realsasi=node(d, "CQ.6709.QGE.001").pop("realisasi")))
    found = problems(path)
    typo = next(p for p in found if "realsasi" in p)
    assert "maksud Anda 'realisasi'" in typo
    assert "program[0].kegiatan[0].output[0].sub_output[0].realsasi" in typo
    line = int(typo.split(":")[1])
    assert "realsasi" in path.read_text().splitlines()[line - 1]


def test_yaml_float_is_refused_never_taken_as_one(make_input):
    text = make_input().read_text().replace("pagu: '1.000'", "pagu: 1.000")
    assert "pagu: 1.000" in text
    path = make_input(text=text)
    (found,) = problems(path)
    assert "sub_output[1].pagu" in found
    assert "1.000 dibaca sebagai 1.0" in found and '"1.000"' in found


@pytest.mark.parametrize("value", ["12,5", "1.00.000", "-5", "Rp 1.0000", "seribu", True])
def test_bad_money_is_refused(make_input, value):
    path = make_input(lambda d: node(d, "CQ.6709.QGE.004").update(pagu=value))
    (found,) = problems(path)
    assert "sub_output[2].pagu" in found
    assert "18256293000" in found  # says what to write instead


def test_negative_integer_money_is_refused(make_input):
    (found,) = problems(make_input(lambda d: node(d, "CQ.6709.QGE.004").update(realisasi=-1)))
    assert "negatif" in found


def test_missing_required_fields_are_all_reported(make_input):
    def mutate(d):
        del d["laporan"]["tempat"]
        del node(d, "CQ.6709.QGE.004")["pagu"]

    found = problems(make_input(mutate))
    assert any("laporan.tempat" in p and "wajib diisi" in p for p in found)
    assert any("sub_output[2]" in p and "pagu wajib diisi" in p for p in found)


def test_malformed_yaml_reports_line(make_input):
    text = "satker:\n  tingkat: kota\n  wilayah: [Serang\ntahun: 2023\n"
    (found,) = problems(make_input(text=text))
    assert "YAML tidak sah" in found
    assert ":4:" in found or ":5:" in found


def test_duplicate_yaml_key_is_refused(make_input):
    text = make_input().read_text().replace("tahun: 2023\n", "tahun: 2023\ntahun: 2024\n", 1)
    found = problems(make_input(text=text))
    assert any("'tahun' ditulis dua kali" in p for p in found)


def test_duplicate_codes_are_refused(make_input):
    path = make_input(lambda d: node(d, "CQ.6709.QGE.004").update(kode="CQ.6709.QGE.001"))
    found = problems(path)
    assert any("'CQ.6709.QGE.001' sudah dipakai" in p and "sub_output[2].kode" in p for p in found)


def test_child_code_must_extend_parent(make_input):
    path = make_input(lambda d: node(d, "CQ.6710.QGE.001").update(kode="CQ.6709.QGE.009"))
    (found,) = problems(path)
    assert "tidak melanjutkan kode induknya 'CQ.6710.QGE'" in found


def test_unknown_level_value(make_input):
    (found,) = problems(make_input(lambda d: d["satker"].update(tingkat="kecamatan")))
    assert "satker.tingkat" in found and "'kota'" in found


def test_missing_file():
    with pytest.raises(InputError, match="tidak ditemukan"):
        load("tidak/ada.yaml")


def test_a_fifo_or_a_device_is_refused_without_blocking(tmp_path):
    """A named pipe given as the input would block ``validate`` for ever (nobody writes to it)."""
    import os

    fifo = tmp_path / "2023.yaml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(InputError) as raised:
            load(path)
        assert "bukan berkas biasa (pipa atau perangkat)" in str(raised.value.problems[0].message)
    with pytest.raises(InputError) as raised:
        load(tmp_path)
    assert "ini folder" in raised.value.problems[0].message
