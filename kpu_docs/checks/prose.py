"""Read the report's prose as a reviewer does: what its sentences claim, against the data.

Every text field is read (foreword, introduction, closing, tasks and functions, each
subbagian's tasks, the functional positions, every node's narrative). The mistakes looked
for are those DOMAIN.md lists for hand-typed reports:

- counts typed with their word ("2 (tiga) orang"; "terdiri dari 4 (empat) Kegiatan" when
  the data has three): digit against word everywhere, against the data where the sentence
  says what it counts;
- Rupiah amounts and percentages in a sentence about the budget that match none of the
  figures they can be about (a node's and its parent's; in the general chapters, the
  office's, its programs' and kegiatan's), including "100%" for 99,998%;
- budget codes in another form than the input's (``076.WA`` beside ``076.01.WA``) or that
  name no node, and a code followed by a name other than its own;
- a year that is neither the report year nor the next (a "Tahun 2022" left from last
  year's report), outside citations of regulations ("Nomor 7 Tahun 2017").

Each finding quotes the fragment, says what the data says and carries the fragment's line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from kpu_docs.errors import KeyPath, Location
from kpu_docs.figures.derive import BudgetLine, Figures, Report
from kpu_docs.formatting import MAX_WORDS, number_words, percent, percent_decimal, rupiah
from kpu_docs.vocabulary import MINISTRY, NARRATIVES, PROGRAM_SEGMENT, REPORTED, UNIT, Level


@dataclass(frozen=True)
class Claim:
    """One thing the prose says that does not agree with the data (turned into a Finding)."""

    subject: str
    message: str
    location: Location


@dataclass(frozen=True)
class _Text:
    key_path: KeyPath
    text: str
    subject: str
    node: BudgetLine | None = None  # the node whose narrative this is
    parent: BudgetLine | None = None
    subdivision: int | None = None  # index of the subbagian whose tasks these are
    source: int = 0  # the budget tree its codes belong to (Report.sources: 0 the DIPA, then each hibah)


def texts(report: Report) -> Iterator[_Text]:
    """Every text field of the input, with what it is about."""
    data = report.data
    for section in NARRATIVES:
        for i, text in enumerate(getattr(data.narratives, section.attribute)):
            yield _Text(("narasi", section.key, i), text, f"narasi.{section.key}[{i}]")
    org = data.organisation
    for i, text in enumerate(org.legal_basis):
        yield _Text(("organisasi", "tugas_fungsi", i), text, f"organisasi.tugas_fungsi[{i}]")
    for j, sub in enumerate(org.subdivisions):
        for i, text in enumerate(sub.tasks):
            yield _Text(
                ("organisasi", "subbagian", j, "tugas", i), text, f"organisasi.subbagian[{j}].tugas[{i}]", subdivision=j
            )
    if org.functional:
        for i, text in enumerate(org.functional.description):
            yield _Text(
                ("organisasi", "jabatan_fungsional", "uraian", i), text, f"organisasi.jabatan_fungsional.uraian[{i}]"
            )
    for i, section in enumerate(getattr(data, "sections", [])):  # chapters and subsections the input adds
        for j, text in enumerate(section.paragraphs):
            yield _Text(("bab_tambahan", i, "paragraf", j), text, f"bab_tambahan[{i}].paragraf[{j}]")
        for k, sub in enumerate(section.subsections):
            for j, text in enumerate(sub.paragraphs):
                yield _Text(
                    ("bab_tambahan", i, "subbab", k, "paragraf", j),
                    text,
                    f"bab_tambahan[{i}].subbab[{k}].paragraf[{j}]",
                )
    yield from _node_texts(report)


def _node_texts(report: Report) -> Iterator[_Text]:
    """The narratives of every budget tree's nodes: the DIPA's, then each grant's (subject
    ``hibah N: CODE``, as validate names a grant's nodes)."""
    for s, source in enumerate(report.sources):
        prefix = f"hibah {s}: " if source.is_grant else ""
        for line, parent in _with_parents(source.programs):
            for i, text in enumerate(line.narrative):
                yield _Text((*line.key_path, "narasi", i), text, prefix + line.code, line, parent, source=s)


def _with_parents(programs: Iterable[BudgetLine]) -> Iterator[tuple[BudgetLine, BudgetLine | None]]:
    def walk(line: BudgetLine, parent: BudgetLine | None):
        yield line, parent
        for child in line.children:
            yield from walk(child, line)

    for program in programs:
        yield from walk(program, None)


def check(report: Report, budget_only: bool = False) -> list[Claim]:
    """Every claim in the prose that the data contradicts, in input order. ``budget_only``:
    the nodes' narratives alone (the rest of the input could not be loaded)."""
    checker = _Checker(report)
    found = texts(report) if not budget_only else (t for t in _node_texts(report))
    return [claim for text in found for claim in checker.text(text)]


# --- pieces of text ----------------------------------------------------------------------------

_ABBREVIATIONS = re.compile(r"\b(?:Sub|No|Kab|Prov|Jl|dll|dsb|mis|yth|Yth|Drs|Ir|Hj|H|S|M|A|Tbk|s\.d)\.$")


def _sentences(text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence): split after . ! ? followed by a capital, not after "Sub." etc."""
    start = 0
    for match in re.finditer(r"[.!?](?=\s+[A-Z\"“(])", text):
        if _ABBREVIATIONS.search(text[start : match.end()]):
            continue
        yield start, text[start : match.end()]
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        yield start, text[start:]


def _fragment(text: str, start: int, end: int, around: int = 30) -> str:
    """The words around text[start:end], for quoting: ``…sebesar Rp1.000 atau 100%…``."""
    left = max(0, start - around)
    while left > 0 and not text[left - 1].isspace():
        left -= 1
    right = min(len(text), end + around)
    while right < len(text) and not text[right].isspace():
        right += 1
    quoted = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + quoted + ("…" if right < len(text) else "")


# --- the checks ----------------------------------------------------------------------------------

_COUNT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)\s*\(\s*([A-Za-z][A-Za-z ]*?)\s*\)\s*(?=((?:[\w./]+\s*){0,4}))"
)
_RUPIAH = re.compile(r"Rp\.?\s?(\d{1,3}(?:\.\d{3})+|\d+)(?:,00|,-)?(?![\d.]\d)")
# decimal comma is Indonesian (DOMAIN.md), but hand-typed reports also write "99.52%"
_PERCENT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[,.]\d+)?)\s?%")
_BUDGET_WORDS = re.compile(r"pagu|alokasi|anggaran|realisasi|terealisasi|serap|sisa|selisih|melebihi|dana", re.I)
_PERCENT_WORDS = re.compile(r"realisasi|terealisasi|serap|capaian anggaran|anggaran", re.I)
_PROGRAM_LIKE = re.compile(rf"(?<![\w.])({MINISTRY})(?:\.({UNIT}))?\.({PROGRAM_SEGMENT})(?![\w])")
# Loose on purpose (3 or 4 digits, any later segments): a mistyped code is still found and named.
_CODE_LIKE = re.compile(rf"(?<![\w.])({PROGRAM_SEGMENT})\.(\d{{3,4}})((?:\.[A-Z0-9]{{1,6}})*)(?![\w])")
_YEAR = re.compile(
    r"\b(?:[Tt]ahun(?:\s+[Aa]nggaran)?|TA\.?)\s+((?:19|20)\d{2})\b(?!\s*[-–/]\s*\d{4})"
    r"(?!\s+(?:s\.d\.?|s/d|sampai|hingga))"
)
_NUMBER_WORDS = frozenset(
    "nol satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas belas puluh "
    "ratus seratus ribu seribu juta miliar milyar triliun".split()
)
_CITATION = re.compile(r"(?:Nomor|No\.?)\s*\S+\s*$", re.I)  # "Nomor 7", "No. 7", "No 7"

# The words naming a level, deepest first ("sub output" before "output").
_LEVEL_NOUNS = tuple((re.compile(lv.words, re.I), lv.level) for lv in reversed(REPORTED))


class _Checker:
    def __init__(self, report: Report):
        self.report = report
        self.year = getattr(report.data, "year", None)
        # per budget tree (Report.sources): code -> node, and program segment -> program
        self.trees = [
            (
                {line.code: line for program in source.programs for line in program.walk()},
                {p.code.rsplit(".", 1)[-1]: p for p in source.programs},
            )
            for source in report.sources
        ]
        org = getattr(report.data, "organisation", None)  # absent from a budget-only report
        self.subdivisions = org.all_subdivisions if org else []  # with those inside each Bagian
        self.functional = org.functional if org else None
        self._general: list[tuple[str, Figures]] | None = None

    # where and how a claim is reported
    def claim(self, t: _Text, start: int, end: int, message: str) -> Claim:
        fragment = _fragment(t.text, start, end)
        line = self.report.document.lines.text_line(t.key_path, t.text[start:end])
        where = Location(self.report.document.path, line, t.key_path)
        return Claim(t.subject, f"'{fragment}': {message}", where)

    def text(self, t: _Text) -> Iterator[Claim]:
        # cheap substring tests first: most paragraphs hold none of these (a large report
        # has thousands of narratives)
        text = t.text
        if "(" in text:
            yield from self.counts(t)
        if any(short in text for short in self.trees[t.source][1]):
            yield from self.codes(t)
        if "ahun" in text or "TA" in text:
            yield from self.years(t)
        if "Rp" not in text and "%" not in text:
            return
        for offset, sentence in _sentences(text):
            if "Rp" in sentence and _BUDGET_WORDS.search(sentence):
                yield from self.amounts(t, offset, sentence)
            if "%" in sentence and _PERCENT_WORDS.search(sentence):
                yield from self.percents(t, offset, sentence)

    # counts: "2 (dua) orang", "terdiri dari 4 (empat) Kegiatan"
    def counts(self, t: _Text) -> Iterator[Claim]:
        for match in _COUNT.finditer(t.text):
            digits, words, after = match.group(1), " ".join(match.group(2).split()).lower(), match.group(3)
            n = int(digits.replace(".", ""))
            words = words.removesuffix(" rupiah")  # an amount in words: "(seribu rupiah)"
            if n > MAX_WORDS or not set(words.split()) <= _NUMBER_WORDS:
                continue  # "0254 (Kantor)", "Pemilu 2024 (Pemilihan Serentak)": not a count in words
            if words != number_words(n):
                end = match.end(2) + 1
                yield self.claim(
                    t,
                    match.start(),
                    end,
                    f"angka dan kata tidak sesuai: {n} ditulis "
                    f"'{number_words(n)}', bukan '{words}'. Samakan angka dan katanya.",
                )
                continue
            expected = self.expected_count(t, after, self.named_before(t, match.start()))
            if expected is not None and expected[0] != n:
                what, noun = expected[1], expected[2]
                yield self.claim(
                    t,
                    match.start(),
                    match.end() + len(after.split(" ")[0]),
                    f"narasi menyebut {n} {noun}, padahal data berisi {expected[0]} {noun} ({what}). "
                    "Perbaiki narasinya atau datanya.",
                )

    def named_before(self, t: _Text, end: int) -> BudgetLine | None:
        """The last node named by its code earlier in the same sentence ("Program 076.01.CQ terdiri
        dari …"): what a count in that sentence is about."""
        text, (lines, programs) = t.text, self.trees[t.source]
        start = max((m.end() for m in re.finditer(r"[.!?]\s+(?=[A-Z])", text[:end])), default=0)
        named = {lines[m.group(0)].code for m in _CODE_LIKE.finditer(text, start, end) if m.group(0) in lines}
        named |= {
            programs[m.group(3)].code for m in _PROGRAM_LIKE.finditer(text, start, end) if m.group(3) in programs
        }  # 076.WA names 076.01.WA too
        return lines[named.pop()] if len(named) == 1 else None  # several: a total, as without

    def expected_count(self, t: _Text, after: str, named: BudgetLine | None = None) -> tuple[int, str, str] | None:
        """(count in the data, where, noun) for what the words after a count name, if known;
        counted below ``named`` (a node the sentence names), else below the narrative's node,
        else in the whole report."""
        phrase = " ".join(after.split()).lower()
        if phrase.startswith("orang"):
            return self.people(t, phrase[len("orang") :].strip())
        if phrase.startswith(("subbagian", "sub bagian")):
            return len(self.subdivisions), "subbagian di organisasi", "subbagian"
        for pattern, level in _LEVEL_NOUNS:
            if pattern.match(phrase):
                scope = named or t.node
                if scope is None:
                    found = sum(1 for line in self.report.lines() if line.level == level)
                    return found, "di seluruh data anggaran", level.noun
                if scope.level < level:
                    found = sum(1 for line in scope.walk() if line.level == level)
                    return found, f"di bawah {scope.code}", level.noun
                return None
        return None

    def people(self, t: _Text, role: str) -> tuple[int, str, str] | None:
        subs = [self.subdivisions[t.subdivision]] if t.subdivision is not None else list(self.subdivisions)
        where = f"di {subs[0].name}" if t.subdivision is not None else "di organisasi"
        if role.startswith(("kepala subbagian", "kepala sub bagian", "kasubbag")):
            return len(self.subdivisions), "kepala subbagian di organisasi", "orang"
        if role.startswith(("pns", "ppnpn")):
            status = "PPNPN" if role.startswith("ppnpn") else "PNS"
            return sum(len(g.names) for s in subs for g in s.staff if g.status == status), f"{status} {where}", "orang"
        if role.startswith(("pejabat fungsional", "jabatan fungsional", "fungsional")) and self.functional:
            return len(self.functional.holders), "pejabat fungsional", "orang"
        groups = [g for s in subs for g in s.staff if g.role and role.startswith(g.role.lower())]
        if groups:
            return sum(len(g.names) for g in groups), f"{groups[0].role} {where}", "orang"
        return None

    # amounts and percentages: against the figures they can be about
    def figures(self, t: _Text) -> list[tuple[str, Figures]]:
        if t.node is not None:
            about = [(t.node.code, t.node.figures)]
            if t.parent is not None:
                about.append((t.parent.code, t.parent.figures))
            return about
        if self._general is None:
            self._general = self._general_figures()
        return self._general

    def _general_figures(self) -> list[tuple[str, Figures]]:
        return [
            (getattr(self.report.data, "office", None) and self.report.data.office.name or "satker", self.report.total),
            *((line.code, line.figures) for line in self.report.lines() if line.level <= Level.KEGIATAN),
        ]

    def amounts(self, t: _Text, offset: int, sentence: str) -> Iterator[Claim]:
        about = self.figures(t)
        allowed = {v for _, f in about for v in (f.pagu, f.realisasi, abs(f.sisa))}
        for match in _RUPIAH.finditer(sentence):
            value = int(match.group(1).replace(".", ""))
            if value in allowed:
                continue
            code, fig = about[0]
            also = (
                f"; induknya {about[1][0]}: pagu {rupiah(about[1][1].pagu)}, realisasi {rupiah(about[1][1].realisasi)}"
                if t.node is not None and len(about) > 1
                else ""
            )
            yield self.claim(
                t,
                offset + match.start(),
                offset + match.end(),
                f"jumlah {rupiah(value)} tidak sama dengan angka mana pun di data: {code} pagu "
                f"{rupiah(fig.pagu)}, realisasi {rupiah(fig.realisasi)}, sisa {rupiah(fig.sisa)}{also}. "
                "Perbaiki angkanya di narasi.",
            )

    def percents(self, t: _Text, offset: int, sentence: str) -> Iterator[Claim]:
        about = [(code, f.ratio) for code, f in self.figures(t) if f.ratio is not None]
        if not about:
            return
        for match in _PERCENT.finditer(sentence):
            written = match.group(1)
            value = Decimal(written.replace(",", "."))
            places = max(0, -int(value.as_tuple().exponent))
            if any(percent_decimal(ratio, places) == value for _, ratio in about):
                continue
            code, ratio = about[0]
            others = "".join(f"; {c}: {percent(r)}" for c, r in about[1:3]) if t.node is not None else ""
            yield self.claim(
                t,
                offset + match.start(),
                offset + match.end(),
                f"persentase {written}% tidak sesuai data: penyerapan {code} adalah {percent(ratio)} "
                f"(realisasi dibagi pagu{others}). Tulis {percent(ratio)}.",
            )

    # codes: another form, unknown, or followed by another name
    def codes(self, t: _Text) -> Iterator[Claim]:
        lines, programs = self.trees[t.source]
        program_codes = {p.code for p in programs.values()}
        for match in _PROGRAM_LIKE.finditer(t.text):
            token = match.group(0)
            program = programs.get(match.group(3))
            if token in program_codes:
                yield from self.name_after(t, match, lines[token])
            elif program is not None:
                yield self.claim(
                    t,
                    match.start(),
                    match.end(),
                    f"kode program ditulis '{token}', di data '{program.code}'. Tulis kode seperti di data.",
                )
        for match in _CODE_LIKE.finditer(t.text):
            token = match.group(0)
            if match.group(1) not in programs:
                continue
            if token in lines:
                yield from self.name_after(t, match, lines[token])
                continue
            near = difflib.get_close_matches(token, list(lines), n=1, cutoff=0.8)
            hint = f"; maksud Anda '{near[0]}' ({lines[near[0]].name})?" if near else ""
            yield self.claim(t, match.start(), match.end(), f"kode '{token}' tidak ada di data anggaran{hint}")

    def name_after(self, t: _Text, match: re.Match, line: BudgetLine) -> Iterator[Claim]:
        """``CQ.6709.QGE.001 Perencanaan …``: the words after a code against its name in the data."""
        after = re.split(
            r"[,;:()\n]|\.\s|\s+(?:yang|dengan|sebesar|mendapat|telah)\s+", t.text[match.end() :], maxsplit=1
        )[0]
        after = " ".join(after.split()).strip(" -–\"'“”")
        name = " ".join(line.name.split())
        if not after or not after[0].isupper():
            return
        head = after[: len(name)]
        if head.casefold() == name.casefold() or name.casefold().startswith(head.casefold()) or len(head.split()) < 2:
            return  # the name, or its beginning cut at a comma
        if difflib.SequenceMatcher(None, head.casefold(), name.casefold()).ratio() >= 0.5:
            yield self.claim(
                t,
                match.start(),
                match.end() + 1 + len(head),
                f"nama sesudah kode {line.code} berbeda dengan judulnya di data: '{name}'. "
                "Samakan nama di narasi dengan nama di data.",
            )

    # years: "Tahun 2022" in the 2023 report
    def years(self, t: _Text) -> Iterator[Claim]:
        if not self.year:
            return
        for match in _YEAR.finditer(t.text):
            year = int(match.group(1))
            if year in (self.year, self.year + 1) or year < 2000:
                continue
            if _CITATION.search(t.text[max(0, match.start() - 40) : match.start()]):
                continue  # "Undang-Undang Nomor 7 Tahun 2017": a regulation, not the budget year
            yield self.claim(
                t,
                match.start(),
                match.end(),
                f"tahun {year} bukan tahun laporan ({self.year}) atau tahun berikutnya: sisa laporan "
                f"tahun lalu? Periksa dan tulis {self.year} bila itu yang dimaksud.",
            )
