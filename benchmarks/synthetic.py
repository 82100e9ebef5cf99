"""Synthetic, valid kpu-docs inputs of any size, for benchmarks.

``synthetic_input(n_ro)`` returns the input as a dict (the YAML keys the office's staff
write); ``write_input(folder, n_ro)`` writes it as ``<folder>/<slug>/<year>.yaml``.

The budget tree has two programs (076.01.CQ and 076.01.WA, like the sample). ROs are
grouped about 10 per KRO and KROs about 5 per kegiatan; every code is well formed and
extends its parent's (CQ.6001, CQ.6001.AAA, CQ.6001.AAA.001). Each RO has integer pagu
and realisasi (realisasi <= pagu, absorption 60-100 %, so no findings are raised) and one
narrative paragraph. Everything else is the minimum a valid input needs.

Deterministic: the same arguments give the same file.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from pathlib import Path

import yaml

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

RO_PER_KRO = 10
KRO_PER_KEGIATAN = 5
PROGRAMS = (
    ("076.01.CQ", "Penyelenggaraan Pemilu dalam Proses Konsolidasi Demokrasi"),
    ("076.01.WA", "Program Dukungan Manajemen"),
)
YEAR = 2023

_WORDS = (
    "pelaksanaan kegiatan tahapan penyelenggaraan pemilu dilaksanakan dengan baik sesuai jadwal "
    "anggaran revisi dukungan operasional badan adhoc sosialisasi pemilih masyarakat kota kabupaten "
    "koordinasi logistik distribusi verifikasi pendaftaran peserta partai politik data informasi"
).split()


def _kro_code(index: int) -> str:
    """0 -> AAA, 1 -> AAB, ... (three capital letters, 17,576 per kegiatan)."""
    letters = ""
    for _ in range(3):
        index, rem = divmod(index, 26)
        letters = string.ascii_uppercase[rem] + letters
    return letters


def _paragraph(rng: random.Random, words: int = 45) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _chunks(n: int, size: int) -> list[int]:
    """n split into consecutive groups of at most ``size``: 23, 10 -> [10, 10, 3]."""
    return [min(size, n - i) for i in range(0, n, size)]


def _program(code: str, name: str, n_ro: int, rng: random.Random, first_kegiatan: int) -> dict:
    prefix = code.rsplit(".", 1)[-1]
    kro_sizes = _chunks(n_ro, RO_PER_KRO)
    kegiatan = []
    for k, kro_group in enumerate(_chunks(len(kro_sizes), KRO_PER_KEGIATAN)):
        k_code = f"{prefix}.{first_kegiatan + k:04d}"
        outputs = []
        for o in range(kro_group):
            o_code = f"{k_code}.{_kro_code(o)}"
            size = kro_sizes.pop(0)
            sub_outputs = []
            for r in range(size):
                pagu = rng.randrange(5_000_000, 2_000_000_000, 1000)
                realisasi = int(pagu * rng.uniform(0.6, 1.0))
                sub_outputs.append(
                    {
                        "kode": f"{o_code}.{r + 1:03d}",
                        "nama": f"Sub Output {r + 1} {o_code}: {rng.choice(_WORDS).title()} {rng.choice(_WORDS)}",
                        "pagu": pagu,
                        "realisasi": realisasi,
                        "narasi": [_paragraph(rng)],
                    }
                )
            outputs.append({"kode": o_code, "nama": f"Output Kegiatan {o_code}", "sub_output": sub_outputs})
        kegiatan.append({"kode": k_code, "nama": f"Kegiatan {k_code} {rng.choice(_WORDS)}", "output": outputs})
    return {"kode": code, "nama": name, "kegiatan": kegiatan}


def synthetic_input(n_ro: int, region: str = "Contoh", seed: int = 0, year: int = YEAR) -> dict:
    """A valid input with ``n_ro`` ROs (at least 2: each program needs one)."""
    if n_ro < len(PROGRAMS):
        raise ValueError(f"need at least {len(PROGRAMS)} ROs, one per program")
    rng = random.Random(f"{seed}-{n_ro}-{region}")
    split = [n_ro - n_ro // 2, n_ro // 2]
    programs = [
        _program(code, name, n, rng, first_kegiatan=6001 + 100 * i)
        for i, ((code, name), n) in enumerate(zip(PROGRAMS, split))
    ]
    secretary = "Budi Santoso"
    return {
        "satker": {"tingkat": "kabupaten", "wilayah": region},
        "tahun": year,
        "laporan": {
            "surat_permintaan": {"nomor": f"3203/PR.03-SD/01/{year}", "tanggal": dt.date(year, 12, 13)},
            "tempat": region,
            "tanggal": dt.date(year + 1, 1, 31),
            "penandatangan": {"jabatan": "Sekretaris", "nama": secretary},
        },
        "narasi": {
            "kata_pengantar": [_paragraph(rng)],
            "pendahuluan": [_paragraph(rng), _paragraph(rng)],
            "penutup": [_paragraph(rng)],
        },
        "organisasi": {
            "tugas_fungsi": [_paragraph(rng)],
            "sekretaris": secretary,
            "subbagian": [
                {
                    "nama": "Subbagian Keuangan, Umum, dan Logistik",
                    "tugas": [_paragraph(rng, 25)],
                    "kepala": "Siti Aminah",
                    "staf": [
                        {"status": "PNS", "peran": "Bendahara Pengeluaran", "nama": ["Eko Prasetyo"]},
                        {"status": "PPNPN", "peran": "Pramubakti", "nama": ["Dewi Lestari", "Agus Salim"]},
                    ],
                },
                {
                    "nama": "Subbagian Perencanaan, Data, dan Informasi",
                    "tugas": [_paragraph(rng, 25)],
                    "kepala": "Rina Wulandari",
                    "staf": [{"status": "PNS", "nama": ["Joko Susilo"]}],
                },
            ],
        },
        "program": programs,
        "slogan": "SUARA RAKYAT, SUARA PEMILU",
    }


def office_slug(region: str) -> str:
    return "kpu-kabupaten-" + "-".join(region.lower().split())


def write_input(folder: Path, n_ro: int, region: str = "Contoh", seed: int = 0, year: int = YEAR) -> Path:
    """Write the input as ``folder/<office slug>/<year>.yaml`` (the file name must be the year)."""
    path = Path(folder) / office_slug(region) / f"{year}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = synthetic_input(n_ro, region, seed, year)
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")
    return path


def count_ro(data: dict) -> int:
    return sum(len(o["sub_output"]) for p in data["program"] for k in p["kegiatan"] for o in k["output"])


if __name__ == "__main__":  # python benchmarks/synthetic.py 100 DIR: write one input, print its path
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(".")
    print(write_input(out, n))
