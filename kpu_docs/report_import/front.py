"""The cover (office, year), the foreword with the request letter and the signature, and BAB IV
with the back matter (slogan, mascot captions)."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

from kpu_docs.formatting import MONTHS

from .extract import Block
from .result import (
    NAME,
    WARNING,
    Reading,
)
from .text import (
    name_flaws,
    similar,
    title_case,
)

_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})")


def read_date(text: str) -> dt.date | None:
    """``31 Januari 2024`` (month names OCR-tolerant) -> a date; None when not a real date."""
    m = _DATE.search(text)
    if not m:
        return None
    month = difflib.get_close_matches(m.group(2).lower(), MONTHS, n=1, cutoff=0.75)
    if not month:
        return None
    try:
        return dt.date(int(m.group(3)), MONTHS.index(month[0]) + 1, int(m.group(1)))
    except ValueError:
        return None


def cover(reading: Reading, front_matter: list[Block], chapters: dict[str, list[Block]]) -> None:
    """``satker`` and ``tahun`` from the cover ("KOMISI PEMILIHAN UMUM / KOTA SERANG", "2023"),
    else from "KPU Kota Serang" and "Laporan Tahunan … Tahun 2023" in the text."""
    data = reading.data
    text = " ".join(b.text for b in front_matter)
    year = re.search(r"\b(20\d\d)\b", text)
    if not year:
        first = " ".join(b.text for b in chapters.get("kata_pengantar", [])[:3])
        year = re.search(r"Tahunan.{0,80}?Tahun\s+(20\d\d)", first)
    office = re.search(r"KOMISI\s+PEMILIHAN\s+UMUM\s+(KABUPATEN|KOTA|PROVINSI)\s+([A-Z][A-Z .'-]+)", text.upper())
    if office is None:
        every = " ".join(b.text for blocks in chapters.values() for b in blocks[:50])
        office = re.search(r"\bKPU\s+(Kabupaten|Kota|Provinsi)\s+((?:[A-Z][a-z]+\s?){1,3})", every)
    if office:
        level = office.group(1).lower()
        region = title_case(office.group(2).strip().lower()) if office.group(2).isupper() else office.group(2).strip()
        region = re.split(r"\s+(?:LAPORAN|TAHUN)\b", region, flags=re.IGNORECASE)[0].strip()
        data["satker"] = {"tingkat": level, "wilayah": region}
        reading.sources["satker"] = front_matter[0].where if front_matter else reading.source
    else:
        data["satker"] = {"tingkat": None, "wilayah": None}
        reading.missing(
            ("satker",), reading.source, "nama kantor (KOMISI PEMILIHAN UMUM KOTA/KABUPATEN/PROVINSI …) di sampul"
        )
    if year:
        data["tahun"] = int(year.group(1))
    else:
        data["tahun"] = None
        reading.missing(("tahun",), reading.source, "tahun laporan di sampul")


_PLACE_DATE = re.compile(r"^([A-Z][A-Za-z .'-]{1,40}),\s*(\d{1,2}\s+[A-Za-z]+\s+\d{4})\.?$")
_LETTER = re.compile(
    r"Nomor\s*:?\s*(?P<no>[0-9][0-9A-Za-z./\- ]{3,60}?)\s*,?\s+tanggal\s+(?P<date>\d{1,2}\s+[A-Za-z]+\s+\d{4})",
    re.IGNORECASE,
)


def foreword(reading: Reading, blocks: list[Block]) -> None:
    """``narasi.kata_pengantar`` up to "Serang, 31 Januari 2024"; the request letter ("Nomor …
    tanggal …") found in it; the place, date, title, name and NIP of the signature."""
    data = reading.data
    meta = data["laporan"]
    paragraphs: list[str] = []
    signed_at = None
    for i, b in enumerate(blocks):
        if b.cells is None and _PLACE_DATE.match(b.text):
            signed_at = i
            break
        if b.cells is None:
            paragraphs.append(b.text)
    data["narasi"]["kata_pengantar"] = paragraphs
    where = blocks[0].where if blocks else reading.source
    if not blocks:
        reading.missing(("narasi", "kata_pengantar"), reading.source, "KATA PENGANTAR tidak ditemukan")
    letter = None
    for p in paragraphs:
        letter = _LETTER.search(p)
        if letter:
            break
    if letter:
        number = re.sub(r"\s*/\s*", "/", letter.group("no").strip())
        number = re.sub(r"\s*-\s*", "-", number)
        meta["surat_permintaan"] = {"nomor": number, "tanggal": read_date(letter.group("date"))}
        if meta["surat_permintaan"]["tanggal"] is None:
            reading.missing(
                ("laporan", "surat_permintaan", "tanggal"), where, f"tanggal surat '{letter.group('date')}'"
            )
    else:
        meta["surat_permintaan"] = {"nomor": None, "tanggal": None}
        reading.missing(
            ("laporan", "surat_permintaan"),
            where,
            'nomor dan tanggal surat permintaan laporan ("Nomor … tanggal …" di kata pengantar)',
        )
    if signed_at is None:
        meta.update(tempat=None, tanggal=None, penandatangan={"jabatan": None, "nama": None})
        reading.missing(("laporan", "tempat"), where, 'tempat dan tanggal penandatanganan ("Serang, 31 Januari 2024")')
        reading.missing(("laporan", "penandatangan"), where, "jabatan dan nama penandatangan")
        return
    m = _PLACE_DATE.match(blocks[signed_at].text)
    assert m is not None  # signed_at is where this pattern matched
    meta["tempat"] = m.group(1).strip()
    meta["tanggal"] = read_date(m.group(2))
    reading.sources["laporan.tanggal"] = blocks[signed_at].where
    if meta["tanggal"] is None:
        reading.missing(("laporan", "tanggal"), blocks[signed_at].where, f"tanggal penandatanganan '{m.group(2)}'")
    rest = [b for b in blocks[signed_at + 1 :] if b.cells is None]
    title = rest[0].text if rest else None
    name = rest[1].text if len(rest) > 1 else None
    signatory: dict[str, Any] = {"jabatan": title, "nama": name}
    if len(rest) > 2 and re.match(r"NIP\.?\s*:?\s*", rest[2].text, re.IGNORECASE):
        signatory["nip"] = re.sub(r"^NIP\.?\s*:?\s*", "", rest[2].text, flags=re.IGNORECASE)
    meta["penandatangan"] = signatory
    reading.sources["laporan.penandatangan.nama"] = rest[1].where if len(rest) > 1 else blocks[signed_at].where
    if title is None or name is None:
        reading.missing(("laporan", "penandatangan"), blocks[signed_at].where, "jabatan dan nama penandatangan")
    for b in rest[3 if "nip" in signatory else 2 :]:
        reading.unread.append((b.where, f"teks sesudah tanda tangan tidak diimpor: '{b.text[:60]}'"))


def closing(reading: Reading, blocks: list[Block]) -> tuple[list[str], str | None]:
    """BAB IV paragraphs and the slogan: the first upper-case line after them. The rest of the
    back matter (mascot captions) is listed as not imported; the back cover is skipped."""
    office = reading.data.get("satker") or {}
    back_cover = {"", f"{office.get('tingkat')} {office.get('wilayah')}".upper()}
    paragraphs: list[str] = []
    slogan: str | None = None
    for i, b in enumerate(blocks):
        if b.cells is None and paragraphs and not re.search(r"[a-z]", b.text):
            back = [x for x in blocks[i:] if x.cells is None]
            if not b.text.upper().startswith("KOMISI PEMILIHAN UMUM"):
                slogan = b.text
                back = back[1:]
            for x in back:
                rest = re.sub(r"^KOMISI PEMILIHAN UMUM\s*", "", x.text.upper())
                if rest in back_cover:
                    continue
                reading.unread.append(
                    (x.where, f"halaman penutup: '{x.text[:60]}' (gambar dan keterangannya tidak diimpor)")
                )
            break
        if b.cells is None:
            paragraphs.append(b.text)
    if not paragraphs:
        reading.missing(("narasi", "penutup"), reading.source, "BAB PENUTUP tidak ditemukan")
    return paragraphs, slogan


def signatory_vs_secretary(reading: Reading) -> None:
    """Two readings of the secretary's name (signature, organisation): keep the cleaner one."""
    meta = reading.data["laporan"].get("penandatangan") or {}
    org = reading.data.get("organisasi") or {}
    signed, secretary = meta.get("nama"), org.get("sekretaris")
    if not signed or not secretary or signed == secretary:
        if secretary is None and signed and (meta.get("jabatan") or "").lower() == "sekretaris":
            org["sekretaris"] = signed
            reading.comment(("organisasi", "sekretaris"), "dari tanda tangan kata pengantar")
        return
    if (meta.get("jabatan") or "").lower() != "sekretaris" or similar(signed, secretary) < 0.7:
        return
    best = secretary if name_flaws(secretary) <= name_flaws(signed) else signed
    other = signed if best == secretary else secretary
    meta["nama"] = org["sekretaris"] = best
    note = f"nama ditulis dua cara: '{signed}' (tanda tangan) dan '{secretary}' (BAB II); dipakai '{best}'"
    reading.comment(("laporan", "penandatangan", "nama"), note)
    reading.comment(("organisasi", "sekretaris"), note)
    reading.find(
        WARNING,
        NAME,
        "laporan.penandatangan.nama",
        f"nama sekretaris ditulis dua cara: '{signed}' dan '{secretary}' (salah satunya salah ketik: '{other}')",
        reading.sources.get("laporan.penandatangan.nama", reading.source),
    )
