"""The budget: BAB II B (each program's sentence and table) and BAB III (the tree down to RO).

BAB III is the tree's source; BAB II is read only to be cross-checked against it. Figures are
never guessed: one not read exactly stays None (DOMAIN.md, "What goes wrong when it is typed
by hand", lists the kinds of disagreement checked here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kpu_docs.formatting import amount, number_words
from kpu_docs.vocabulary import MINISTRY, PROGRAM_SEGMENT, REPORTED, UNIT, child_key

from .extract import Block
from .result import (
    CODE,
    COUNT,
    ERROR,
    PERCENT,
    TABLE_SHIFTED,
    TABLE_VS_TEXT,
    UNREADABLE,
    WARNING,
    KeyPath,
    Reading,
)
from .text import (
    find_word,
    money_tokens,
    percent_matches,
    percent_tokens,
    read_amount,
    read_count,
    similar,
    starts_like,
    strip_marker,
    words,
)


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
_CODE_ONLY = re.compile(r"\(\s*[0-9A-Z][0-9A-Z.]*\s*\)")
_PROGRAM_CODE = re.compile(rf"^({MINISTRY})\.(?:({UNIT})\.)?({PROGRAM_SEGMENT})$")  # 076.01.CQ, or 076.CQ


def read_bab2_budget(blocks: list[Block]) -> list[_Bab2Program]:
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
    if not cells or (
        cells[0].lower().startswith(("uraian", "no")) and len(cells) > 2 and "pagu" in " ".join(cells).lower()
    ):
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
    return _Row(
        label,
        name.rstrip("."),
        values[0] if values else None,
        values[1] if len(values) > 1 else None,
        pct,
        tuple(b.cells or ()),
        b.where,
    )


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


def read_capaian(reading: Reading, blocks: list[Block]) -> None:
    """``program``: the tree from BAB III's headings, each followed by its figures sentence."""
    paras: list[Block] = []
    for b in blocks:
        if b.cells is not None:
            continue
        if paras and _CODE_ONLY.fullmatch(b.text) and not _is_figures(paras[-1].text):
            paras[-1] = Block(f"{paras[-1].text} {b.text}", paras[-1].where)  # a heading's code on its own line
        else:
            paras.append(b)
    headings = [i for i in range(len(paras) - 1) if _is_figures(paras[i + 1].text) and not _is_figures(paras[i].text)]
    roots: list[_Node] = []
    last: _Node | None = None
    if not headings:
        reading.missing(("program",), reading.source, 'BAB III: tidak ada rincian "Alokasi anggarannya sebesar …"')
        reading.data["program"] = []
        return
    for b in paras[: headings[0]]:
        reading.unread.append((b.where, f"BAB III, paragraf sebelum program pertama tidak diimpor: '{b.text[:60]}'"))
    for n, h in enumerate(headings):
        end = headings[n + 1] if n + 1 < len(headings) else len(paras)
        node = _node(reading, paras[h], paras[h + 1], last, roots)
        body = [p.text for p in paras[h + 2 : end]]
        if node.depth >= 3:
            node.data["narasi"] = body
        else:
            for p in paras[h + 2 : end]:
                reading.unread.append(
                    (
                        p.where,
                        f"paragraf di bawah {node.data.get('kode') or node.data['nama']} "
                        f"tidak diimpor (narasi hanya pada Sub. Output): '{p.text[:60]}'",
                    )
                )
        last = node
    _program_codes(reading, roots)
    reading.data["program"] = [_emit(reading, r, ("program", i)) for i, r in enumerate(roots)]


def _node(reading: Reading, heading: Block, sentence: Block, last: _Node | None, roots: list[_Node]) -> _Node:
    label, rest = strip_marker(heading.text)
    m = _CODE_IN_PARENS.search(rest)
    written = m.group(1).replace(" ", "") if m else None
    name = (rest[: m.start()] if m else rest).strip().rstrip(".:")
    announced = read_count(sentence.text, "terdiri dari")
    depth, code = _classify(written, name, last, announced)
    if depth == 0:
        name = re.sub(r"^Program\s+", "", name, flags=re.IGNORECASE)
    elif depth == 1:
        name = re.sub(r"^Kegiatan\s+", "", name, flags=re.IGNORECASE)
    (pagu_raw, pagu), (real_raw, realisasi), pct = _figures(sentence.text)
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
            reading.find(
                ERROR, CODE, written or name, f"'{name}' tidak berada di bawah program mana pun", heading.where
            )
        roots.append(node)
    else:
        node.parent = parent
        parent.children.append(node)
    return node


def _announced_depth(announced: tuple[int, str | None, str] | None) -> int | None:
    """The depth of a node from what its sentence says it consists of ("terdiri dari 1 (satu)
    Output Kegiatan" is said of a kegiatan), or None when it says nothing recognisable."""
    if announced is None:
        return None
    noun = words(announced[2])
    if noun[:1] == ["sub"] or noun[:2] == ["sub", "output"]:
        return 2
    if noun[:1] == ["output"]:
        return 1
    if noun[:1] == ["kegiatan"]:
        return 0
    return None


def _classify(
    written: str | None, name: str, last: _Node | None, announced: tuple[int, str | None, str] | None = None
) -> tuple[int, str | None]:
    """Depth (0 program … 3 RO) and full code from the code as written and the context; without
    a usable code, a node that announces its children is placed by what they are."""
    expected = 0 if last is None else (last.depth + 1 if last.announced else last.depth)
    if not written and (announced_depth := _announced_depth(announced)) is not None:
        expected = announced_depth
    if re.match(r"^Program\b", name, re.IGNORECASE):
        expected = 0
    if written:
        if _PROGRAM_CODE.match(written):
            return 0, written
        parts = written.split(".")
        if re.fullmatch(PROGRAM_SEGMENT, parts[0]) and 2 <= len(parts) <= len(REPORTED):
            depth = len(parts) - 1
            if _code_used(last, written) and depth < expected:
                return expected, None  # a truncated code: the parent's, repeated
            return depth, written
        for level in REPORTED[1:]:
            if level.pattern.fullmatch(written) and level.level == expected:
                return int(level.level), written  # only the node's own segment: completed from the parent's
    return expected, None


def _code_used(node: _Node | None, code: str) -> bool:
    while node is not None:
        if node.data.get("kode") == code:
            return True
        node = node.parent
    return False


def _program_codes(reading: Reading, roots: list[_Node]) -> None:
    """Program codes in full (076.01.CQ); a short form (076.WA) completed from the others."""
    full = [
        r.data["kode"]
        for r in roots
        if r.data["kode"] and (shape := _PROGRAM_CODE.match(r.data["kode"])) and shape.group(2)
    ]
    for r in roots:
        code = r.data["kode"]
        if code is None:
            continue
        m = _PROGRAM_CODE.match(code)
        if m and m.group(2) is None:
            prefixes = {c.rsplit(".", 1)[0] for c in full if c.startswith(m.group(1) + ".")}
            if len(prefixes) == 1:
                r.data["kode"] = f"{prefixes.pop()}.{m.group(3)}"
                r.code_note = (
                    f"kode ditulis '{code}' di BAB III; dilengkapi menjadi {r.data['kode']} seperti program lainnya"
                )
            reading.written[r.data["kode"]] = (code, r.where)  # completed in cross_check otherwise


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
            reading.find(
                ERROR, UNREADABLE, subject, f"{key} tidak terbaca" + (f" ('{raw}')" if raw else ""), sentence_where
            )
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


def _infer_code(
    reading: Reading, node: _Node, parent_code: str | None, written: str | None, path: KeyPath
) -> str | None:
    siblings = node.parent.children if node.parent else []
    index = siblings.index(node) if node in siblings else 0
    shown = f"'({written})'" if written else "tidak ada"
    if node.depth == 3 and parent_code:
        used = {s.data.get("kode") for s in siblings if s is not node}
        n = index + 1
        while f"{parent_code}.{n:03d}" in used:
            n += 1
        code = f"{parent_code}.{n:03d}"
        reading.comment(
            path,
            f"kode di laporan: {shown}; {code} adalah kode yang paling mungkin "
            f"(Sub. Output ke-{index + 1} di bawah {parent_code}): periksa di DIPA",
        )
        reading.find(
            WARNING,
            CODE,
            code,
            f"kode '{node.data['nama']}' {'terpotong ' + shown if written else 'tidak tertulis'}; kemungkinan {code}",
            node.where,
        )
        return code
    reading.missing((*path, "kode"), node.where, f"kode '{node.data['nama']}' (di laporan: {shown})")
    reading.find(ERROR, CODE, node.data["nama"], f"kode tidak tertulis ({shown})", node.where)
    return None


def _check_children_count(reading: Reading, node: _Node, subject: str) -> None:
    assert node.announced is not None  # called for a node that announces its children
    n, words_, noun = node.announced
    found = len(node.children)
    if words_ and number_words(n) != words_:
        reading.find(
            WARNING,
            COUNT,
            subject,
            f"'terdiri dari {n} ({words_})': angka dan kata tidak sesuai ({n} ditulis '{number_words(n)}')",
            node.data.get("_sentence", node.where),
        )
    if n != found:
        reading.find(
            WARNING,
            COUNT,
            subject,
            f"tertulis terdiri dari {n}{f' ({words_})' if words_ else ''} {noun}, tetapi yang diuraikan {found}",
            node.where,
        )


def _check_percent(reading: Reading, subject: str, pct, pagu, realisasi, where: str, source: str) -> None:
    if pct is None or pagu is None or realisasi is None:
        return
    written, value = pct
    if value is None:
        return
    exact = Decimal(realisasi) * 100 / Decimal(pagu) if pagu else Decimal(0)
    if pagu and realisasi < pagu and value >= 100:
        reading.find(
            WARNING,
            PERCENT,
            subject,
            f"{source}: tertulis {written}% padahal belum 100% ({_pct(exact)}): tulis 99,99%",
            where,
        )
    elif not percent_matches(value, pagu, realisasi):
        reading.find(
            WARNING,
            PERCENT,
            subject,
            f"{source}: persentase tertulis {written}%, padahal {amount(realisasi)} / {amount(pagu)} = {_pct(exact)}",
            where,
        )


def _pct(exact: Decimal) -> str:
    """An exact percentage shown to five places, never rounded up to 100: "99,99997%"."""
    return f"{exact.quantize(Decimal('0.00001'), rounding='ROUND_DOWN')}".replace(".", ",") + "%"


# --- BAB II against BAB III ----------------------------------------------------------------------


def cross_check(reading: Reading, table: list[_Bab2Program]) -> None:
    """BAB II (program sentences and tables) against the BAB III tree: comments and findings."""
    programs = reading.data.get("program", [])
    for i, p in enumerate(programs):
        bab2 = _match_program(p, table)
        if bab2 is None:
            continue
        path = ("program", i)
        written, where = reading.written.pop(p["kode"], (p["kode"], ""))
        short = _PROGRAM_CODE.match(p["kode"] or "")
        full = _PROGRAM_CODE.match(bab2.code or "")
        if short and not short.group(2) and bab2.code and full and full.group(2) and full.group(3) == short.group(3):
            p["kode"] = bab2.code
            reading.sources[bab2.code] = where or bab2.where
            reading.comment(path, f"kode ditulis '{written}' di BAB III; dipakai '{bab2.code}' dari BAB II")
        if bab2.code and bab2.code != written:
            reading.find(
                WARNING,
                CODE,
                p["kode"],
                f"kode program ditulis dua cara: '{bab2.code}' (BAB II) dan '{written}' (BAB III)",
                where or bab2.where,
            )
        _compare(reading, path, p, bab2.pagu, bab2.realisasi, "BAB II (teks)", bab2.where)
        _check_percent(reading, p["kode"], bab2.percent, bab2.pagu, bab2.realisasi, bab2.where, "teks BAB II")
        _table(reading, i, p, bab2)
    for i, p in enumerate(programs):
        if p["kode"] not in reading.written:
            continue
        written, where = reading.written.pop(p["kode"])
        short = _PROGRAM_CODE.match(p["kode"])
        if short and not short.group(2):
            # every program of a KPU satker's DIPA is 076.01.XX (DOMAIN.md: 076.01.CQ)
            p["kode"] = f"{short.group(1)}.01.{short.group(3)}"
            reading.sources[p["kode"]] = where
            reading.comment(("program", i), f"kode ditulis '{written}'; {p['kode']} adalah kode yang paling mungkin")
        reading.find(WARNING, CODE, p["kode"], f"kode program ditulis tidak lengkap: '{written}'", where)


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
        reading.find(
            WARNING,
            TABLE_VS_TEXT,
            node["kode"] or node["nama"],
            f"{key} di {source} ({amount(value)}) berbeda dengan BAB III ({amount(node[key])})",
            where,
        )


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
            what.append(
                "baris tanpa angka: " + ", ".join(f"'{r.label + '. ' if r.label else ''}{r.name[:40]}'" for r in empty)
            )
        if unlabelled:
            what.append(
                "angka tanpa uraian: "
                + ", ".join(f"{amount(r.pagu or 0)} / {amount(r.realisasi or 0)}" for r in unlabelled)
            )
        reading.find(
            WARNING,
            TABLE_SHIFTED,
            program["kode"] or program["nama"],
            "tabel BAB II tampaknya bergeser satu baris (" + "; ".join(what) + "): angka di bawah baris "
            "kosong tertulis pada uraian sebelumnya",
            (empty or unlabelled)[0].where,
        )
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
        shifted = [
            keg2
            for keg2 in kegiatan
            if keg2 is not keg
            and row.pagu is not None
            and (keg2.get("pagu") == row.pagu or keg2.get("realisasi") == row.realisasi)
        ]
        if shifted and (row.pagu != keg.get("pagu") or row.realisasi != keg.get("realisasi")):
            reading.comment(
                path,
                f"angka baris tabel BAB II untuk kegiatan ini ({amount(row.pagu or 0)} / "
                f"{amount(row.realisasi or 0)}) adalah angka {shifted[0]['kode']}: baris bergeser",
            )
            continue
        _compare(reading, path, keg, row.pagu, row.realisasi, "BAB II (tabel)", row.where)
        if row.pagu is not None and row.realisasi is not None:
            _check_percent(
                reading, keg["kode"] or keg["nama"], row.percent, row.pagu, row.realisasi, row.where, "tabel BAB II"
            )
