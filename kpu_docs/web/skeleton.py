"""A blank, schema-valid input for a new office: every required key present, to be filled in.

The budget starts with the Dukungan Manajemen program (076.01.WA) that every satker has, with
one RO at zero; validation then lists what is still to be written (narratives, figures).
"""

from __future__ import annotations

import datetime as dt

from kpu_docs.vocabulary import NARRATIVES


def skeleton(level: str, region: str, year: int) -> str:
    """YAML text for ``KPU <level> <region>``, year ``year``; dates are placeholders in that year."""
    region_yaml = '"' + region.replace("\\", "\\\\").replace('"', '\\"') + '"'
    signed = dt.date(year + 1, 1, 31).isoformat()
    letter = dt.date(year, 12, 1).isoformat()
    narratives = "".join(f"  {section.key}: []\n" for section in NARRATIVES)
    return f"""# yaml-language-server: $schema=../../schema/laporan-tahunan.schema.json
#
# Laporan Tahunan {year} — KPU {level.title()} {region}.
# Dibuat kosong oleh kpu-docs serve: isi setiap bagian bertanda "(isi ...)".

satker:
  tingkat: {level}
  wilayah: {region_yaml}

tahun: {year}

laporan:
  surat_permintaan:
    nomor: "(isi nomor surat permintaan)"
    tanggal: {letter} # periksa tanggal surat
  tempat: {region_yaml}
  tanggal: {signed} # tanggal penandatanganan
  penandatangan:
    jabatan: Sekretaris
    nama: "(isi nama sekretaris)"

narasi:
{narratives}
organisasi:
  tugas_fungsi: []
  sekretaris: "(isi nama sekretaris)"
  subbagian:
    - nama: Subbagian Keuangan, Umum, dan Logistik
      tugas: []
      kepala: "(isi nama kepala subbagian)"

program:
  - kode: 076.01.WA
    nama: Dukungan Manajemen dan Pelaksanaan Tugas Teknis Lainnya KPU
    kegiatan:
      - kode: WA.3360
        nama: Operasional Perkantoran dan Dukungan Sarana dan Prasarana
        output:
          - kode: WA.3360.EBA
            nama: Layanan Dukungan Manajemen Internal
            sub_output:
              - kode: WA.3360.EBA.994
                nama: Layanan Perkantoran
                pagu: 0
                realisasi: 0
                narasi: []
"""
