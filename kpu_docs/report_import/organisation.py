"""BAB II A: the secretariat, each Subbagian with its head and staff, the Jabatan Fungsional."""

from __future__ import annotations

import re
from typing import Any

from kpu_docs.formatting import number_words

from .extract import Block
from .result import (
    COUNT,
    WARNING,
    Reading,
)
from .text import (
    ends_sentence,
    looks_like_name,
    similar,
    split_names,
    starts_like,
    strip_marker,
    title_case,
)


def split_bab2(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """BAB II at its "B. Program dan Anggaran" heading: (organisation, budget)."""
    for i, b in enumerate(blocks):
        label, rest = strip_marker(b.text)
        if (
            b.cells is None
            and label in ("B", None)
            and starts_like(rest, "Program dan Anggaran", 0.85)
            and len(rest) < 40
        ):
            return blocks[:i], blocks[i + 1 :]
    return blocks, []


# OCR-tolerant: "Sub Bagain", "Dipimpin o1eh" (the keyword is checked with ``similar``)
_SUBDIV = re.compile(r"^Sub\s*\.?\s*(?:(?P<word>[A-Za-z0-9]{5,8})|bag\.?)\s+(?P<name>.*)$", re.IGNORECASE)
_SECRETARY = re.compile(r"Sekretaris\s*,?\s+yaitu\s+(?P<name>[^,]+?)\s*,?\s+(?:yang\s+)?dibantu", re.IGNORECASE)
_HEAD = re.compile(
    r"(?P<kw>D[A-Za-z0-9]{5,9})\s+(?P<by>[A-Za-z0-9]{3,5})\s+(?P<name>.+?)"
    r"(?:\s+selaku\b|\s+yang\b|\s*,|\s*\.?$)",
    re.IGNORECASE,
)


def _subdivision(text: str) -> re.Match | None:
    m = _SUBDIV.match(text)
    return m if m and (m.group("word") is None or similar(m.group("word"), "bagian") >= 0.8) else None


def _head(text: str) -> re.Match | None:
    """ "Dipimpin oleh NAME yang …", its two words matched loosely."""
    for start in re.finditer(r"\b[Dd]", text):
        m = _HEAD.match(text, start.start())
        if m and similar(m.group("kw"), "dipimpin") >= 0.8 and similar(m.group("by"), "oleh") >= 0.75:
            return m
    return None


_GROUP_LINE = re.compile(
    r"^(?P<status>PNS|PPNPN|Non[- ]?PNS)\s*(?:\((?P<role>[^)]*)\))?\s+sebanyak\s+(?P<n>\d+)\s*(?:\((?P<w>[a-z ]+)\))?\s*orang\s*:\s*(?P<names>.+)$",
    re.IGNORECASE,
)
_STATUS_LINE = re.compile(r"^(?P<status>PNS|PPNPN)\s*:\s*(?P<rest>.*)$", re.IGNORECASE)
_ROLE_LINE = re.compile(
    r"^(?P<role>[A-Za-z][A-Za-z/ .-]+?)\s+sebanyak\s+(?P<n>\d+)\s*(?:\((?P<w>[a-z ]+)\))?\s*orang", re.IGNORECASE
)
_JF = re.compile(r"(JF|Jabatan\s+Fungsional)\b", re.IGNORECASE)


def read_organisation(reading: Reading, blocks: list[Block]) -> None:
    """``organisasi``: tugas_fungsi, sekretaris, subbagian (nama, tugas, kepala, staf) and
    jabatan_fungsional, from the example's layout or the one this project writes."""
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
        if _STAFF_RECAP.match(b.text):
            continue  # the staff recap the report counts from the staff lists (README: organisation)
        label, rest = strip_marker(b.text)
        # Word's automatic numbering is not part of the text: a short "Subbagian …" line is a heading too
        heading = (label is not None and label.isdigit()) or (len(rest) < 120 and not ends_sentence(rest))
        sub = _subdivision(rest) if heading and not re.search(r"mempunyai\s+tugas", rest) else None
        if sub:
            _close_subdivision(reading, current, announced)
            name = "Subbagian " + sub.group("name").strip().rstrip(".:")
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
        head = _head(b.text)
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
                    where = reading.sources[f"subbagian:{current['nama']}"]
                    current["nama"] = subject.group(1).strip()
                    reading.sources[f"subbagian:{current['nama']}"] = where
            continue
        group, status_ctx = _staff_line(reading, current, b, group, status_ctx)
    _close_subdivision(reading, current, announced)
    if not org["subbagian"]:
        reading.missing(("organisasi", "subbagian"), paras[0].where, 'daftar subbagian ("1. Subbagian …")')
    if org["sekretaris"] is None:
        reading.comment(("organisasi", "sekretaris"), "nama sekretaris tidak tertulis di BAB II")


_STAFF_RECAP = re.compile(r"^Staf Sekretariat .+? seluruhnya berjumlah ")


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
        reading.comment(
            ("organisasi", "tugas_fungsi"),
            "kalimat nama sekretaris, jumlah kepala subbagian dan pengantar daftar subbagian "
            "dihapus dari paragraf ini: laporan menyusunnya sendiri dari data",
        )
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
        g = {
            "status": status_ctx,
            "peran": title_case(m.group("role").strip()),
            "nama": [],
            "_n": (int(m.group("n")), m.group("w"), b),
        }
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
            reading.find(
                WARNING,
                COUNT,
                "organisasi",
                f"{current['nama']}: staf tertulis {announced[0]} orang, tetapi {total} nama disebutkan",
                announced[1],
            )
    idx = len(reading.data["organisasi"]["subbagian"]) - 1
    if current["kepala"] is None:
        reading.missing(
            ("organisasi", "subbagian", idx, "kepala"),
            reading.sources.get(f"subbagian:{current['nama']}", ""),
            f'kepala {current["nama"]} ("Dipimpin oleh …")',
        )
    if not current["tugas"]:
        reading.missing(
            ("organisasi", "subbagian", idx, "tugas"),
            reading.sources.get(f"subbagian:{current['nama']}", ""),
            f"tugas {current['nama']}",
        )
    if not current["staf"]:
        del current["staf"]
