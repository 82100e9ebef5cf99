"""Read a Laporan Tahunan laid out like the example (DOMAIN.md, "Structure of the report").

The result is the data of a draft input (YAML keys as in ``model``), the comments the draft
carries (where the report disagrees with itself), what could not be read, and findings.
Figures are never guessed: one not read exactly stays ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..formatting import amount, number_words
from ..model import child_key
from .extract import Block
from .text import (
    clean,
    ends_sentence,
    find_word,
    looks_like_name,
    money_tokens,
    name_flaws,
    percent_matches,
    percent_tokens,
    read_amount,
    read_count,
    similar,
    split_names,
    starts_like,
    strip_marker,
    title_case,
)

KeyPath = tuple[Any, ...]

ERROR, WARNING = "galat", "peringatan"

# Kinds of inconsistency (DOMAIN.md, "What goes wrong when it is typed by hand").
TABLE_VS_TEXT = "tabel-vs-teks"
TABLE_SHIFTED = "tabel-bergeser"
COUNT = "jumlah-rincian"
PERCENT = "persentase"
CODE = "kode"
UNREADABLE = "tidak-terbaca"
NAME = "nama"


@dataclass(frozen=True)
class Finding:
    """Something the report says that does not hold, found while reading it."""

    severity: str
    kind: str
    subject: str  # a full code or a key path
    message: str
    where: str


@dataclass
class Reading:
    """What was read from one report."""

    source: str
    data: dict[str, Any]
    comments: dict[KeyPath, list[str]] = field(default_factory=dict)
    unread: list[tuple[str, str]] = field(default_factory=list)  # (where, what)
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # code or key path -> where in the report
    written: dict[str, tuple[str, str]] = field(default_factory=dict)  # completed program code -> (as written, where)

    def comment(self, path: KeyPath, text: str) -> None:
        self.comments.setdefault(tuple(path), []).append(text)

    def find(self, severity: str, kind: str, subject: str, message: str, where: str) -> None:
        self.findings.append(Finding(severity, kind, subject, message, where))

    def missing(self, path: KeyPath, where: str, what: str) -> None:
        self.unread.append((where, what))
        self.comment(path, f"TIDAK TERBACA: {what}")


MONTHS = ["januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september",
          "oktober", "november", "desember"]
_DATE = re.compile(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})")


def read_date(text: str) -> dt.date | None:
    import difflib

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


# --- chapters --------------------------------------------------------------------------------

_CHAPTERS = {
    "pendahuluan": "PENDAHULUAN",
    "organisasi": "STRUKTUR ORGANISASI",
    "capaian": "CAPAIAN PRIORITAS",
    "penutup": "PENUTUP",
}
_BAB = re.compile(r"^BAB\s+([IVXL1l]{1,5})\b\.?\s*(.*)$")
_TOC_ENTRY = re.compile(r"(?:\.{2,}|\s)\s*(?:\d{1,4}|[ivxlc]{1,6})$")


def _chapter_key(title: str) -> str | None:
    for key, name in _CHAPTERS.items():
        if similar(title, name) >= 0.8 or name in title.upper():
            return key
    return None


def segment(blocks: list[Block]) -> tuple[dict[str, list[Block]], list[Block], list[tuple[str, str]]]:
    """Chapters by heading: cover, kata_pengantar, pendahuluan, organisasi, capaian, penutup.

    Returns the chapters, the blocks before the first heading (the cover) and chapters of
    unknown title as (where, title)."""
    chapters: dict[str, list[Block]] = {}
    cover: list[Block] = []
    unknown: list[tuple[str, str]] = []
    current: list[Block] | None = None
    in_toc = False
    i = 0
    while i < len(blocks):
        b = blocks[i]
        text = b.text.strip()
        upper = text.upper()
        if b.cells is None and re.fullmatch(r"DAFTAR\s+(ISI|TABEL|GAMBAR|LAMPIRAN)", upper):
            in_toc = True
            i += 1
            continue
        m = _BAB.match(text) if b.cells is None else None
        is_foreword = b.cells is None and similar(text, "KATA PENGANTAR") >= 0.85 and len(text) < 25
        if in_toc and not ((m or is_foreword) and not _TOC_ENTRY.search(text) ) :
            i += 1
            continue
        if (m or is_foreword) and _TOC_ENTRY.search(text) and not is_foreword:
            # "BAB I PENDAHULUAN 1": a table-of-contents entry outside a DAFTAR ISI page
            if m and m.group(2) and _chapter_key(_TOC_ENTRY.sub("", m.group(2))):
                i += 1
                continue
        if is_foreword:
            in_toc = False
            current = chapters.setdefault("kata_pengantar", [])
            i += 1
            continue
        if m:
            in_toc = False
            title = m.group(2)
            if not title and i + 1 < len(blocks):
                title = blocks[i + 1].text
                i += 1
            key = _chapter_key(title)
            if key is None:
                unknown.append((b.where, f"BAB {m.group(1)} {title}"))
                current = chapters.setdefault(f"lain:{title}", [])
            else:
                current = chapters.setdefault(key, [])
            i += 1
            continue
        if current is None:
            cover.append(b)
        else:
            current.append(b)
        i += 1
    return chapters, cover, unknown


# --- the whole reading -------------------------------------------------------------------------


def read_blocks(blocks: list[Block], source: str) -> Reading:
    """Read a report's blocks into a draft input (see module docstring)."""
    chapters, cover, unknown = segment(blocks)
    reading = Reading(source, {})
    for where, title in unknown:
        reading.unread.append((where, f"bab tidak dikenal '{title}' tidak diimpor"))
    data = reading.data
    _cover(reading, cover, chapters)
    data["laporan"] = {}
    data["narasi"] = {}
    _foreword(reading, chapters.get("kata_pengantar", []))
    intro = chapters.get("pendahuluan", [])
    data["narasi"]["pendahuluan"] = [b.text for b in intro if b.cells is None]
    if not intro:
        reading.missing(("narasi", "pendahuluan"), source, "BAB PENDAHULUAN tidak ditemukan")
    closing, back = _closing(reading, chapters.get("penutup", []))
    data["narasi"]["penutup"] = closing
    org_blocks, budget_blocks = _split_bab2(chapters.get("organisasi", []))
    _organisation(reading, org_blocks)
    table = _bab2_budget(reading, budget_blocks)
    _capaian(reading, chapters.get("capaian", []))
    _cross_check(reading, table)
    for code, (written, where) in reading.written.items():
        reading.find(WARNING, CODE, code, f"kode program ditulis tidak lengkap: '{written}'", where)
    _signatory_vs_secretary(reading)
    if back:
        data["slogan"] = back
    return reading


# --- cover, foreword, signature --------------------------------------------------------------


def _cover(reading: Reading, cover: list[Block], chapters: dict[str, list[Block]]) -> None:
    data = reading.data
    text = " ".join(b.text for b in cover)
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
        reading.sources["satker"] = cover[0].where if cover else reading.source
    else:
        data["satker"] = {"tingkat": None, "wilayah": None}
        reading.missing(("satker",), reading.source, "nama kantor (KOMISI PEMILIHAN UMUM KOTA/KABUPATEN/PROVINSI …) di sampul")
    if year:
        data["tahun"] = int(year.group(1))
    else:
        data["tahun"] = None
        reading.missing(("tahun",), reading.source, "tahun laporan di sampul")


_PLACE_DATE = re.compile(r"^([A-Z][A-Za-z .'-]{1,40}),\s*(\d{1,2}\s+[A-Za-z]+\s+\d{4})\.?$")
_LETTER = re.compile(r"Nomor\s*:?\s*(?P<no>[0-9][0-9A-Za-z./\- ]{3,60}?)\s*,?\s+tanggal\s+(?P<date>\d{1,2}\s+[A-Za-z]+\s+\d{4})",
                     re.IGNORECASE)


def _foreword(reading: Reading, blocks: list[Block]) -> None:
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
            reading.missing(("laporan", "surat_permintaan", "tanggal"), where, f"tanggal surat '{letter.group('date')}'")
    else:
        meta["surat_permintaan"] = {"nomor": None, "tanggal": None}
        reading.missing(("laporan", "surat_permintaan"), where,
                        "nomor dan tanggal surat permintaan laporan (\"Nomor … tanggal …\" di kata pengantar)")
    if signed_at is None:
        meta.update(tempat=None, tanggal=None, penandatangan={"jabatan": None, "nama": None})
        reading.missing(("laporan", "tempat"), where, "tempat dan tanggal penandatanganan (\"Serang, 31 Januari 2024\")")
        reading.missing(("laporan", "penandatangan"), where, "jabatan dan nama penandatangan")
        return
    m = _PLACE_DATE.match(blocks[signed_at].text)
    meta["tempat"] = m.group(1).strip()
    meta["tanggal"] = read_date(m.group(2))
    reading.sources["laporan.tanggal"] = blocks[signed_at].where
    if meta["tanggal"] is None:
        reading.missing(("laporan", "tanggal"), blocks[signed_at].where, f"tanggal penandatanganan '{m.group(2)}'")
    rest = [b for b in blocks[signed_at + 1:] if b.cells is None]
    title = rest[0].text if rest else None
    name = rest[1].text if len(rest) > 1 else None
    signatory: dict[str, Any] = {"jabatan": title, "nama": name}
    if len(rest) > 2 and re.match(r"NIP\.?\s*:?\s*", rest[2].text, re.IGNORECASE):
        signatory["nip"] = re.sub(r"^NIP\.?\s*:?\s*", "", rest[2].text, flags=re.IGNORECASE)
    meta["penandatangan"] = signatory
    reading.sources["laporan.penandatangan.nama"] = rest[1].where if len(rest) > 1 else blocks[signed_at].where
    if title is None or name is None:
        reading.missing(("laporan", "penandatangan"), blocks[signed_at].where, "jabatan dan nama penandatangan")
    for b in rest[3 if "nip" in signatory else 2:]:
        reading.unread.append((b.where, f"teks sesudah tanda tangan tidak diimpor: '{b.text[:60]}'"))


def _closing(reading: Reading, blocks: list[Block]) -> tuple[list[str], str | None]:
    """BAB IV paragraphs; the back matter (an upper-case slogan, mascot captions) after them."""
    paragraphs, slogan = [], None
    for i, b in enumerate(blocks):
        if b.cells is None and paragraphs and not re.search(r"[a-z]", b.text):
            back = [x for x in blocks[i:] if x.cells is None]
            if not b.text.upper().startswith("KOMISI PEMILIHAN UMUM"):
                slogan = b.text
                back = back[1:]
            for x in back:
                if x.text.upper().startswith("KOMISI PEMILIHAN UMUM") or re.fullmatch(r"[A-Z ]{2,40}", x.text) and \
                        reading.data.get("satker", {}).get("wilayah") and x.text.title() in (
                            reading.data["satker"]["wilayah"], f"{reading.data['satker']['tingkat']} {reading.data['satker']['wilayah']}".title()):
                    continue
                reading.unread.append((x.where, f"halaman penutup: '{x.text[:60]}' (gambar dan keterangannya tidak diimpor)"))
            break
        if b.cells is None:
            paragraphs.append(b.text)
    if not paragraphs:
        reading.missing(("narasi", "penutup"), reading.source, "BAB PENUTUP tidak ditemukan")
    return paragraphs, slogan


def _signatory_vs_secretary(reading: Reading) -> None:
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
    reading.find(WARNING, NAME, "laporan.penandatangan.nama",
                 f"nama sekretaris ditulis dua cara: '{signed}' dan '{secretary}' (salah satunya salah ketik: '{other}')",
                 reading.sources.get("laporan.penandatangan.nama", reading.source))


# --- BAB II A: organisation -----------------------------------------------------------------------


def _split_bab2(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    for i, b in enumerate(blocks):
        label, rest = strip_marker(b.text)
        if b.cells is None and label in ("B", None) and starts_like(rest, "Program dan Anggaran", 0.85) and len(rest) < 40:
            return blocks[:i], blocks[i + 1:]
    return blocks, []


_SUBDIV = re.compile(r"^(?:Sub\s*\.?\s*Bagian|Subbagian|Sub\s*bag\.?)\s+(.*)$", re.IGNORECASE)
_SECRETARY = re.compile(r"Sekretaris\s*,?\s+yaitu\s+(?P<name>[^,]+?)\s*,?\s+(?:yang\s+)?dibantu", re.IGNORECASE)
_HEAD = re.compile(r"Dipimpin\s+oleh\s+(?P<name>.+?)(?:\s+selaku\b|\s+yang\b|\s*,|\s*\.?$)", re.IGNORECASE)
_GROUP_LINE = re.compile(
    r"^(?P<status>PNS|PPNPN|Non[- ]?PNS)\s*(?:\((?P<role>[^)]*)\))?\s+sebanyak\s+(?P<n>\d+)\s*(?:\((?P<w>[a-z ]+)\))?\s*orang\s*:\s*(?P<names>.+)$",
    re.IGNORECASE)
_STATUS_LINE = re.compile(r"^(?P<status>PNS|PPNPN)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
_ROLE_LINE = re.compile(r"^(?P<role>[A-Za-z][A-Za-z/ .-]+?)\s+sebanyak\s+(?P<n>\d+)\s*(?:\((?P<w>[a-z ]+)\))?\s*orang", re.IGNORECASE)
_JF = re.compile(r"(JF|Jabatan\s+Fungsional)\b", re.IGNORECASE)


def _organisation(reading: Reading, blocks: list[Block]) -> None:
    org: dict[str, Any] = {"tugas_fungsi": [], "sekretaris": None, "subbagian": []}
    reading.data["organisasi"] = org
    paras = [b for b in blocks if b.cells is None]
    if not paras:
        reading.missing(("organisasi",), reading.source, "BAB II A. Struktur Organisasi tidak ditemukan")
        return
    i = 0
    if starts_like(strip_marker(paras[0].text)[1], "Struktur Organisasi", 0.85) and len(paras[0].text) < 30:
        i = 1
    if i < len(paras) and starts_like(paras[i].text, "Tugas dan Fungsi", 0.85) and len(paras[i].text) < 30:
        i += 1
    current: dict[str, Any] | None = None
    functional: dict[str, Any] | None = None
    group: dict[str, Any] | None = None
    status_ctx: str | None = None
    announced: tuple[int, str] | None = None
    for b in paras[i:]:
        label, rest = strip_marker(b.text)
        # Word's automatic numbering is not part of the text: a short "Subbagian …" line is a heading too
        heading = (label is not None and label.isdigit()) or (len(rest) < 120 and not ends_sentence(rest))
        sub = _SUBDIV.match(rest) if heading and not re.search(r"mempunyai\s+tugas", rest) else None
        if sub:
            _close_subdivision(reading, current, announced)
            name = "Subbagian " + sub.group(1).strip().rstrip(".:")
            current = {"nama": name, "tugas": [], "kepala": None, "staf": []}
            org["subbagian"].append(current)
            reading.sources[f"subbagian:{name}"] = b.where
            functional, group, status_ctx, announced = None, None, None, None
            continue
        if functional is None and _JF.match(re.sub(r"^JF\s+atau\s+", "", rest)) and (heading or label is not None):
            _close_subdivision(reading, current, announced)
            current = None
            functional = {"uraian": [], "pejabat": []}
            org["jabatan_fungsional"] = functional
            body = re.sub(r"^(?:JF\s+atau\s+)?Jabatan\s+Fungsional\s*(?:\(JF\))?\s*", "", rest, flags=re.IGNORECASE)
            if body:
                _functional_paragraph(functional, body)
            continue
        if functional is not None:
            _functional_paragraph(functional, b.text)
            continue
        if current is None:
            _legal_basis(reading, org, b)
            continue
        head = _HEAD.search(b.text)
        if head and current["kepala"] is None:
            current["kepala"] = head.group("name").strip()
            total = re.search(r"staf\s+sebanyak\s+(\d+)\s*(?:\(([a-z ]+)\))?\s*orang", b.text, re.IGNORECASE)
            announced = (int(total.group(1)), b.where) if total else None
            continue
        if current["kepala"] is None:
            current["tugas"].append(b.text)
            if current["tugas"] and len(current["tugas"]) == 1:
                subject = re.match(r"^(Subbagian\s.+?)\s+(?:sebagaimana\s+|dalam\s+)*mempunyai\s+tugas", b.text)
                if subject and similar(subject.group(1), current["nama"]) >= 0.85:
                    current["nama"] = subject.group(1).strip()
            continue
        group, status_ctx = _staff_line(reading, current, b, group, status_ctx)
    _close_subdivision(reading, current, announced)
    if not org["subbagian"]:
        reading.missing(("organisasi", "subbagian"), paras[0].where, "daftar subbagian (\"1. Subbagian …\")")
    if org["sekretaris"] is None:
        reading.comment(("organisasi", "sekretaris"), "nama sekretaris tidak tertulis di BAB II")


def _legal_basis(reading: Reading, org: dict[str, Any], b: Block) -> None:
    text = b.text
    m = _SECRETARY.search(text)
    if m:
        org["sekretaris"] = m.group("name").strip()
        reading.sources["organisasi.sekretaris"] = b.where
        if re.match(r"^Sekretariat\s", text):
            return  # the sentence the report builds from the data (README: organisation)
        text = text[: m.start()].rstrip(" ,") + " Sekretaris."
        text = re.sub(r"Sekretaris\s+Sekretaris\.$", "Sekretaris.", text)
        reading.comment(("organisasi", "tugas_fungsi"),
                        "kalimat nama sekretaris, jumlah kepala subbagian dan pengantar daftar subbagian "
                        "dihapus dari paragraf ini: laporan menyusunnya sendiri dari data")
    org["tugas_fungsi"].append(text)


def _functional_paragraph(functional: dict[str, Any], text: str) -> None:
    generated = re.match(r"^Jabatan Fungsional pada .+? berjumlah .+?, yaitu (.+)$", text)
    if generated:
        functional["pejabat"] += split_names(generated.group(1))
        return
    tail = re.search(r"\s*,?\s*yaitu\s+([^.]+)\.?$", text)
    if tail and all(looks_like_name(n) for n in split_names(tail.group(1))):
        functional["pejabat"] += split_names(tail.group(1))
        text = text[: tail.start()].rstrip(" ,") + "."
    functional["uraian"].append(text)


def _staff_line(reading: Reading, current: dict[str, Any], b: Block, group, status_ctx):
    label, rest = strip_marker(b.text)
    if label and label.isupper():  # "- M. Arya Fadilah": an initial, not a list label
        rest = strip_marker(re.sub(r"^\s*[-\u2022\u27a4*]\s*", "", b.text).replace(label + ".", label + "\u0000", 1))[1]
        rest = rest.replace("\u0000", ".")
    m = _GROUP_LINE.match(rest)
    if m:
        names = split_names(m.group("names"))
        g = {"status": m.group("status").upper(), "nama": names}
        if m.group("role"):
            g["peran"] = title_case(m.group("role"))
        current["staf"].append(_ordered(g))
        _check_people_count(reading, int(m.group("n")), m.group("w"), len(names), b)
        return None, None
    m = _STATUS_LINE.match(rest)
    if m:
        status = m.group("status").upper()
        body = m.group("rest").strip()
        if not body:
            return None, status
        for name in split_names(re.sub(r"\s*\([^)]*\)\s*$", "", body)):
            role = re.search(r"\(([^)]*)\)\s*$", body)
            g = {"status": status, "nama": [name]}
            if role:
                g["peran"] = title_case(role.group(1))
            _add_group(current, g)
        return None, None
    m = _ROLE_LINE.match(rest)
    if m and status_ctx:
        role = title_case(m.group("role").strip())
        g = {"status": status_ctx, "peran": role, "nama": [], "_n": (int(m.group("n")), m.group("w"), b)}
        current["staf"].append(g)
        return g, status_ctx
    if group is not None and looks_like_name(rest):
        group["nama"].append(rest)
        return group, status_ctx
    if status_ctx and looks_like_name(rest):
        _add_group(current, {"status": status_ctx, "nama": [rest]})
        return None, status_ctx
    reading.unread.append((b.where, f"baris organisasi tidak dikenali: '{b.text[:70]}'"))
    return group, status_ctx


def _ordered(g: dict[str, Any]) -> dict[str, Any]:
    return {k: g[k] for k in ("status", "peran", "nama", "_n") if k in g}


def _add_group(current: dict[str, Any], g: dict[str, Any]) -> None:
    for existing in current["staf"]:
        if existing["status"] == g["status"] and existing.get("peran") == g.get("peran") and "_n" not in existing:
            existing["nama"] += g["nama"]
            return
    current["staf"].append(_ordered(g))


def _check_people_count(reading: Reading, n: int, w: str | None, found: int, b: Block) -> None:
    if w and number_words(n) != " ".join(w.split()).lower():
        reading.find(WARNING, COUNT, "organisasi", f"'{n} ({w}) orang': angka dan kata tidak sesuai", b.where)
    if n != found:
        reading.find(WARNING, COUNT, "organisasi", f"tertulis {n} orang, tetapi {found} nama disebutkan", b.where)


def _close_subdivision(reading: Reading, current, announced) -> None:
    if current is None:
        return
    for g in current["staf"]:
        info = g.pop("_n", None)
        if info:
            _check_people_count(reading, info[0], info[1], len(g["nama"]), info[2])
    current["staf"] = [g for g in current["staf"] if g["nama"]]
    if announced:
        total = sum(len(g["nama"]) for g in current["staf"])
        if total != announced[0]:
            reading.find(WARNING, COUNT, "organisasi", f"{current['nama']}: staf tertulis {announced[0]} orang, "
                         f"tetapi {total} nama disebutkan", announced[1])
    idx = len(reading.data["organisasi"]["subbagian"]) - 1
    if current["kepala"] is None:
        reading.missing(("organisasi", "subbagian", idx, "kepala"), reading.sources.get(f"subbagian:{current['nama']}", ""),
                        f"kepala {current['nama']} (\"Dipimpin oleh …\")")
    if not current["tugas"]:
        reading.missing(("organisasi", "subbagian", idx, "tugas"), reading.sources.get(f"subbagian:{current['nama']}", ""),
                        f"tugas {current['nama']}")
    if not current["staf"]:
        del current["staf"]


# --- BAB II B: programs and their tables --------------------------------------------------------


@dataclass
class _Row:
    label: str | None
    name: str
    pagu: int | None
    realisasi: int | None
    percent: tuple[str, Decimal | None] | None
    raw: tuple[str, ...]
    where: str

    @property
    def empty(self) -> bool:
        return self.pagu is None and self.realisasi is None


@dataclass
class _Bab2Program:
    code: str | None
    name: str
    where: str
    pagu: int | None = None
    realisasi: int | None = None
    percent: tuple[str, Decimal | None] | None = None
    rows: list[_Row] = field(default_factory=list)


_CODE_IN_PARENS = re.compile(r"\(\s*([0-9A-Za-z][0-9A-Za-z .]*?)\s*\)\s*\.?$")
_PROGRAM_CODE = re.compile(r"^(\d{3})\.(?:(\d{2})\.)?([A-Z]{2})$")


def _bab2_budget(reading: Reading, blocks: list[Block]) -> list[_Bab2Program]:
    programs: list[_Bab2Program] = []
    for b in blocks:
        if b.cells is not None:
            row = _table_row(b)
            if row is not None and programs:
                programs[-1].rows.append(row)
            continue
        label, rest = strip_marker(b.text)
        code = _CODE_IN_PARENS.search(rest)
        if starts_like(rest, "Program", 0.8) and code and _PROGRAM_CODE.match(code.group(1).replace(" ", "")):
            name = re.sub(r"^\S+\s+", "", rest[: code.start()].strip())
            programs.append(_Bab2Program(code.group(1).replace(" ", ""), name, b.where))
            continue
        if programs and programs[-1].pagu is None and money_tokens(b.text):
            pagu, realisasi, pct = _figures(b.text)
            programs[-1].pagu, programs[-1].realisasi, programs[-1].percent = pagu[1], realisasi[1], pct
    return programs


def _table_row(b: Block) -> _Row | None:
    cells = [c for c in b.cells or () if c]
    if not cells or (cells[0].lower().startswith(("uraian", "no")) and len(cells) > 2 and "pagu" in " ".join(cells).lower()):
        return None
    nums: list[str] = []
    while cells and re.fullmatch(r"[0-9OoIl.,%\- ]+", cells[-1]) and len(nums) < 3:
        nums.insert(0, cells.pop())
    label = None
    if cells and re.fullmatch(r"(?:\d{1,3}|[A-Za-z]{1,2})[.)]", cells[0]):
        label = cells.pop(0).rstrip(".)")
    name = " ".join(cells)
    if name:
        lab, name = strip_marker(name)
        label = label or lab
    values = [read_amount(n) for n in nums[:2]]
    pct = None
    if len(nums) == 3:
        pct = (nums[2], percent_tokens(nums[2] + "%")[0][1] if percent_tokens(nums[2] + "%") else None)
    return _Row(label, name.rstrip("."), values[0] if values else None, values[1] if len(values) > 1 else None,
                pct, tuple(b.cells or ()), b.where)


def _figures(text: str):
    """(pagu, realisasi, percent) of a sentence: each (as written, value or None)."""
    tokens = money_tokens(text)
    at = find_word(text, "realisasi") or len(text)
    before = [t for t in tokens if t[0] < at]
    after = [t for t in tokens if t[0] >= at]
    pagu = (before[-1][1], before[-1][2]) if before else (None, None)
    realisasi = (after[0][1], after[0][2]) if after else (None, None)
    pct = percent_tokens(text[at:])
    return pagu, realisasi, pct[0] if pct else None


# --- BAB III: the budget tree --------------------------------------------------------------------


def _is_figures(text: str) -> bool:
    return starts_like(text, "Alokasi anggarannya", 0.75) and "rp" in text.lower()


@dataclass
class _Node:
    depth: int
    data: dict[str, Any]
    where: str
    announced: tuple[int, str | None, str] | None
    children: list[_Node] = field(default_factory=list)
    parent: _Node | None = None
    code_note: str | None = None
    percent: tuple[str, Decimal | None] | None = None


_LEVEL_NOUN = {0: "Kegiatan", 1: "Output Kegiatan", 2: "Sub. Output Kegiatan"}


def _capaian(reading: Reading, blocks: list[Block]) -> None:
    paras = [b for b in blocks if b.cells is None]
    headings = [i for i in range(len(paras) - 1) if _is_figures(paras[i + 1].text) and not _is_figures(paras[i].text)]
    roots: list[_Node] = []
    last: _Node | None = None
    if not headings:
        reading.missing(("program",), reading.source, "BAB III: tidak ada rincian \"Alokasi anggarannya sebesar …\"")
        reading.data["program"] = []
        return
    for b in paras[: headings[0]]:
        reading.unread.append((b.where, f"BAB III, paragraf sebelum program pertama tidak diimpor: '{b.text[:60]}'"))
    for n, h in enumerate(headings):
        end = headings[n + 1] if n + 1 < len(headings) else len(paras)
        node = _node(reading, paras[h], paras[h + 1], last, roots)
        body = [p.text for p in paras[h + 2: end]]
        if node.depth >= 3:
            node.data["narasi"] = body
        else:
            for p in paras[h + 2: end]:
                reading.unread.append((p.where, f"paragraf di bawah {node.data.get('kode') or node.data['nama']} "
                                                f"tidak diimpor (narasi hanya pada Sub. Output): '{p.text[:60]}'"))
        last = node
    _program_codes(reading, roots)
    reading.data["program"] = [_emit(reading, r, ("program", i)) for i, r in enumerate(roots)]


def _node(reading: Reading, heading: Block, sentence: Block, last: _Node | None, roots: list[_Node]) -> _Node:
    label, rest = strip_marker(heading.text)
    m = _CODE_IN_PARENS.search(rest)
    written = m.group(1).replace(" ", "") if m else None
    name = (rest[: m.start()] if m else rest).strip().rstrip(".:")
    depth, code = _classify(written, name, last)
    if depth == 0:
        name = re.sub(r"^Program\s+", "", name, flags=re.IGNORECASE)
    elif depth == 1:
        name = re.sub(r"^Kegiatan\s+", "", name, flags=re.IGNORECASE)
    (pagu_raw, pagu), (real_raw, realisasi), pct = _figures(sentence.text)
    announced = read_count(sentence.text, "terdiri dari")
    node = _Node(depth, {"kode": code, "nama": name, "pagu": pagu, "realisasi": realisasi}, heading.where, announced)
    node.percent = pct
    node.data["_written"] = written
    node.data["_raw"] = (pagu_raw, real_raw)
    node.data["_sentence"] = sentence.where
    parent = last
    while parent is not None and parent.depth >= depth:
        parent = parent.parent
    if depth == 0 or parent is None:
        if depth != 0:
            reading.find(ERROR, CODE, written or name, f"'{name}' tidak berada di bawah program mana pun", heading.where)
        roots.append(node)
    else:
        node.parent = parent
        parent.children.append(node)
    return node


def _classify(written: str | None, name: str, last: _Node | None) -> tuple[int, str | None]:
    """Depth (0 program … 3 RO) and full code from the code as written and the context."""
    expected = 0 if last is None else (last.depth + 1 if last.announced else last.depth)
    if re.match(r"^Program\b", name, re.IGNORECASE):
        expected = 0
    if written:
        if _PROGRAM_CODE.match(written):
            return 0, written
        parts = written.split(".")
        if re.fullmatch(r"[A-Z]{2}", parts[0]) and 2 <= len(parts) <= 4:
            depth = len(parts) - 1
            if _code_used(last, written) and depth < expected:
                return expected, None  # a truncated code: the parent's, repeated
            return depth, written
        for pattern, depth in ((r"\d{4}", 1), (r"[A-Z]{3}", 2), (r"\d{3}", 3)):
            if re.fullmatch(pattern, written) and depth == expected:
                return depth, written  # only the node's own segment: completed from the parent's
    return expected, None


def _code_used(node: _Node | None, code: str) -> bool:
    while node is not None:
        if node.data.get("kode") == code:
            return True
        node = node.parent
    return False


def _program_codes(reading: Reading, roots: list[_Node]) -> None:
    """Program codes in full (076.01.CQ); a short form (076.WA) completed from the others."""
    full = [r.data["kode"] for r in roots if r.data["kode"] and _PROGRAM_CODE.match(r.data["kode"]).group(2)]
    for r in roots:
        code = r.data["kode"]
        if code is None:
            continue
        m = _PROGRAM_CODE.match(code)
        if m and m.group(2) is None:
            prefixes = {c.rsplit(".", 1)[0] for c in full if c.startswith(m.group(1) + ".")}
            if len(prefixes) == 1:
                r.data["kode"] = f"{prefixes.pop()}.{m.group(3)}"
                r.code_note = f"kode ditulis '{code}' di BAB III; dilengkapi menjadi {r.data['kode']} seperti program lainnya"
                reading.written[r.data["kode"]] = (code, r.where)


def _emit(reading: Reading, node: _Node, path: KeyPath) -> dict[str, Any]:
    """The node as draft data, with its comments, unread figures and findings recorded."""
    d = node.data
    written = d.pop("_written")
    pagu_raw, real_raw = d.pop("_raw")
    sentence_where = d.pop("_sentence")
    parent_code = node.parent.data["kode"] if node.parent else None
    if d["kode"] is None:
        d["kode"] = _infer_code(reading, node, parent_code, written, path)
    elif parent_code and "." not in d["kode"]:
        d["kode"] = f"{parent_code}.{d['kode']}"
        reading.comment(path, f"kode di laporan hanya segmennya sendiri '({written})'; ditulis lengkap {d['kode']}")
    if d["kode"] is not None:
        reading.sources[d["kode"]] = node.where
    subject = d["kode"] or d["nama"]
    if node.code_note:
        reading.comment(path, node.code_note)
    for key, raw in (("pagu", pagu_raw), ("realisasi", real_raw)):
        if d[key] is None:
            what = f"{key} {subject}" + (f": tertulis '{raw}'" if raw else ": tidak tertulis")
            reading.missing((*path, key), sentence_where, what + " — isi sendiri dari DIPA/SAKTI")
            reading.find(ERROR, UNREADABLE, subject, f"{key} tidak terbaca" + (f" ('{raw}')" if raw else ""), sentence_where)
    _check_percent(reading, subject, node.percent, d["pagu"], d["realisasi"], sentence_where, "teks BAB III")
    out: dict[str, Any] = {"kode": d["kode"], "nama": d["nama"], "pagu": d["pagu"], "realisasi": d["realisasi"]}
    if node.depth >= 3:
        out["narasi"] = d.get("narasi", [])
        if not out["narasi"]:
            del out["narasi"]
    if node.announced:
        _check_children_count(reading, node, subject)
    if node.children:
        key = child_key(node.depth)
        out[key] = [_emit(reading, c, (*path, key, i)) for i, c in enumerate(node.children)]
    node.data = out
    return out


def _infer_code(reading: Reading, node: _Node, parent_code: str | None, written: str | None, path: KeyPath) -> str | None:
    siblings = node.parent.children if node.parent else []
    index = siblings.index(node) if node in siblings else 0
    shown = f"'({written})'" if written else "tidak ada"
    if node.depth == 3 and parent_code:
        used = {s.data.get("kode") for s in siblings if s is not node}
        n = index + 1
        while f"{parent_code}.{n:03d}" in used:
            n += 1
        code = f"{parent_code}.{n:03d}"
        reading.comment(path, f"kode di laporan: {shown}; {code} adalah kode yang paling mungkin "
                              f"(Sub. Output ke-{index + 1} di bawah {parent_code}): periksa di DIPA")
        reading.find(WARNING, CODE, code, f"kode '{node.data['nama']}' {'terpotong ' + shown if written else 'tidak tertulis'}; "
                                          f"kemungkinan {code}", node.where)
        return code
    reading.missing((*path, "kode"), node.where, f"kode '{node.data['nama']}' (di laporan: {shown})")
    reading.find(ERROR, CODE, node.data["nama"], f"kode tidak tertulis ({shown})", node.where)
    return None


def _check_children_count(reading: Reading, node: _Node, subject: str) -> None:
    n, words_, noun = node.announced
    found = len(node.children)
    if words_ and number_words(n) != words_:
        reading.find(WARNING, COUNT, subject, f"'terdiri dari {n} ({words_})': angka dan kata tidak sesuai "
                                              f"({n} ditulis '{number_words(n)}')", node.data.get("_sentence", node.where))
    if n != found:
        reading.find(WARNING, COUNT, subject, f"tertulis terdiri dari {n}{f' ({words_})' if words_ else ''} {noun}, "
                                              f"tetapi yang diuraikan {found}", node.where)


def _check_percent(reading: Reading, subject: str, pct, pagu, realisasi, where: str, source: str) -> None:
    if pct is None or pagu is None or realisasi is None:
        return
    written, value = pct
    if value is None:
        return
    exact = Decimal(realisasi) * 100 / Decimal(pagu) if pagu else Decimal(0)
    if pagu and realisasi < pagu and value >= 100:
        reading.find(WARNING, PERCENT, subject, f"{source}: tertulis {written}% padahal belum 100% "
                     f"({_pct(exact)}): tulis 99,99%", where)
    elif not percent_matches(value, pagu, realisasi):
        reading.find(WARNING, PERCENT, subject, f"{source}: persentase tertulis {written}%, padahal "
                     f"{amount(realisasi)} / {amount(pagu)} = {_pct(exact)}", where)


def _pct(exact: Decimal) -> str:
    """An exact percentage shown to five places, never rounded up to 100: "99,99997%"."""
    return f"{exact.quantize(Decimal('0.00001'), rounding='ROUND_DOWN')}".replace(".", ",") + "%"


# --- BAB II against BAB III ----------------------------------------------------------------------


def _cross_check(reading: Reading, table: list[_Bab2Program]) -> None:
    programs = reading.data.get("program", [])
    for i, p in enumerate(programs):
        bab2 = _match_program(p, table)
        if bab2 is None:
            continue
        path = ("program", i)
        written, where = reading.written.pop(p["kode"], (p["kode"], ""))
        if bab2.code and bab2.code != written:
            reading.find(WARNING, CODE, p["kode"], f"kode program ditulis dua cara: '{bab2.code}' (BAB II) dan "
                                                   f"'{written}' (BAB III)", where or bab2.where)
        _compare(reading, path, p, bab2.pagu, bab2.realisasi, "BAB II (teks)", bab2.where)
        _check_percent(reading, p["kode"], bab2.percent, bab2.pagu, bab2.realisasi, bab2.where, "teks BAB II")
        _table(reading, i, p, bab2)


def _match_program(p: dict[str, Any], table: list[_Bab2Program]) -> _Bab2Program | None:
    best = max(table, key=lambda t: similar(t.name, p["nama"]), default=None)
    if best is not None and similar(best.name, p["nama"]) >= 0.7:
        return best
    return None


def _compare(reading: Reading, path: KeyPath, node: dict[str, Any], pagu, realisasi, source: str, where: str) -> None:
    for key, value in (("pagu", pagu), ("realisasi", realisasi)):
        if value is None or node.get(key) is None or value == node[key]:
            continue
        reading.comment((*path, key), f"{source}: {amount(value)}; BAB III: {amount(node[key])} (dipakai BAB III)")
        reading.find(WARNING, TABLE_VS_TEXT, node["kode"] or node["nama"],
                     f"{key} di {source} ({amount(value)}) berbeda dengan BAB III ({amount(node[key])})", where)


def _table(reading: Reading, i: int, program: dict[str, Any], bab2: _Bab2Program) -> None:
    rows = [r for r in bab2.rows if not r.name.lower().startswith("jumlah")]
    if not rows:
        return
    kegiatan = program.get("kegiatan", [])
    first = rows[0]
    if first.label is None and similar(first.name, program["nama"]) >= 0.8:
        _compare(reading, ("program", i), program, first.pagu, first.realisasi, "BAB II (tabel)", first.where)
        rows = rows[1:]
    empty = [r for r in rows if r.empty and r.name]
    unlabelled = [r for r in rows if not r.name and not r.empty]
    if empty or unlabelled:
        what = []
        if empty:
            what.append("baris tanpa angka: " + ", ".join(f"'{r.label + '. ' if r.label else ''}{r.name[:40]}'" for r in empty))
        if unlabelled:
            what.append("angka tanpa uraian: " + ", ".join(f"{amount(r.pagu or 0)} / {amount(r.realisasi or 0)}" for r in unlabelled))
        reading.find(WARNING, TABLE_SHIFTED, program["kode"] or program["nama"],
                     "tabel BAB II tampaknya bergeser satu baris (" + "; ".join(what) + "): angka di bawah baris "
                     "kosong tertulis pada uraian sebelumnya", (empty or unlabelled)[0].where)
    named = [r for r in rows if r.name]
    for k, keg in enumerate(kegiatan):
        row = max(named, key=lambda r: similar(r.name, keg["nama"]), default=None)
        if row is None or similar(row.name, keg["nama"]) < 0.6:
            continue
        path = ("program", i, "kegiatan", k)
        if similar(row.name, keg["nama"]) < 1:
            reading.comment((*path, "nama"), f"nama di tabel BAB II: '{row.name}' (dipakai nama di BAB III)")
        if row.empty:
            reading.comment(path, "baris tabel BAB II untuk kegiatan ini kosong")
            continue
        shifted = [keg2 for keg2 in kegiatan if keg2 is not keg and row.pagu is not None
                   and (keg2.get("pagu") == row.pagu or keg2.get("realisasi") == row.realisasi)]
        if shifted and (row.pagu != keg.get("pagu") or row.realisasi != keg.get("realisasi")):
            reading.comment(path, f"angka baris tabel BAB II untuk kegiatan ini ({amount(row.pagu or 0)} / "
                                  f"{amount(row.realisasi or 0)}) adalah angka {shifted[0]['kode']}: baris bergeser")
            continue
        _compare(reading, path, keg, row.pagu, row.realisasi, "BAB II (tabel)", row.where)
        if row.pagu is not None and row.realisasi is not None:
            _check_percent(reading, keg["kode"] or keg["nama"], row.percent, row.pagu, row.realisasi, row.where, "tabel BAB II")
