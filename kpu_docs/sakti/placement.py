"""Codes in one ``Kode`` column: give every row its full code and parent.

A row's ``Kode`` may be the full code (``CQ.6709.QGE.001``, ``076.01.CQ``), SAKTI's own forms
(``CQ``, ``CQ.6709``, ``QGE.001``, ``051.0A``), the POK's (``6709``, ``6709.QGE``,
``6709.QGE.001``) or only the node's own segment (``001``) below the rows above it.

A bare 3-digit segment below an RO is a komponen or the next RO. It is decided only on
certain evidence: ROs written with a dot elsewhere in the file (``QGE.001``), sub-komponen or
akun rows right after it, komponen rows adding up to their RO (each row carries its own
subtotal), or the input knowing that code as an RO. Otherwise the row is not placed and is
listed, never turned into a new RO. The look-ahead uses prefix sums: linear in the rows.
"""

from __future__ import annotations

import bisect
import re

from kpu_docs.vocabulary import (
    PROGRAM_CODE,
    PROGRAM_PREFIX,
    PROGRAM_SEGMENT,
    SUB_KOMPONEN_AFTER_KOMPONEN,
    Level,
)

from .export import KEGIATAN, KOMPONEN, KRO, PROGRAM, RO, Row
from .rows import RawRow, fill

_PROGRAM_PREFIX = re.compile(rf"^({PROGRAM_PREFIX}\.({PROGRAM_SEGMENT}))\.(.+)$")
_SHORT_PROGRAM = Level.PROGRAM.info.pattern
_KEGIATAN = Level.KEGIATAN.info.pattern
_KRO = Level.OUTPUT.info.pattern
_THREE_DIGITS = Level.SUB_OUTPUT.info.pattern  # RO, or komponen below an RO (the same shape)
_SUB_KOMPONEN = Level.SUB_KOMPONEN.info.pattern
_AKUN = Level.AKUN.info.pattern
_DETAIL = Level.DETAIL.info.pattern
_DOTTED_RO = re.compile(  # QGE.001, 6709.QGE.001
    rf"(?:{Level.KEGIATAN.info.segment}\.)?{Level.OUTPUT.info.segment}\.{Level.SUB_OUTPUT.info.segment}"
)


def segment(code: str) -> str:
    """A bare segment, with the leading zeros a numeric cell lost (1 → 001)."""
    return code.zfill(3) if code.isdigit() and len(code) < 3 else code


class KodePlacer:
    """Places rows whose codes are in a ``Kode`` column (see the module docstring)."""

    def __init__(self, raws: list[tuple[RawRow, str, str]], known: frozenset[str] | set[str]):
        self.raws, self.known = raws, known
        self.rows: list[Row] = []
        self.by_code: dict[str, Row] = {}
        self.komponen: dict[str, list[int]] = {}  # RO code → [pagu, realisasi, count] of its komponen so far
        self.path: list[Row] = []  # the current chain, index = level
        self.programs = {code.rsplit(".", 1)[-1]: code for code in known if PROGRAM_CODE.match(code)}
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.unplaced: list[str] = []
        codes = [code for _, code, _ in raws]
        self.dotted_ro = any(_DOTTED_RO.fullmatch(c) for c in codes)
        self.detailed = any(self._detail_only(c) for c in codes)
        self._index_runs()

    # -- look-ahead index: runs of bare 3-digit/detail rows and their prefix sums --

    def _index_runs(self) -> None:
        n = len(self.raws)
        self.run_start = [0] * n
        self.prefix: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        self.count = [0] * (n + 1)
        self.where: dict[tuple[int, tuple[int, int]], list[int]] = {}
        start, pagu, real, count = -1, 0, 0, 0
        for i, (raw, code, _) in enumerate(self.raws):
            seg = segment(code)
            in_run = "." not in code and bool(_THREE_DIGITS.match(seg) or self._detail_only(seg))
            start = (i if start < 0 else start) if in_run else -1
            self.run_start[i] = start
            if in_run and _THREE_DIGITS.match(seg):
                pagu += raw.figures.get("pagu") or 0
                real += raw.figures.get("realisasi") or 0
                count += 1
                self.where.setdefault((start, (pagu, real)), []).append(i + 1)
            self.prefix[i + 1], self.count[i + 1] = (pagu, real), count

    def _rows_adding_up(self, i: int, target: tuple[int, int]) -> int:
        """How many 3-digit rows from ``i`` on, in its run, add up to ``target`` (0: none)."""
        start = self.run_start[i]
        if start < 0:
            return 0
        base = self.prefix[i]
        ends = self.where.get((start, (base[0] + target[0], base[1] + target[1])), [])
        at = bisect.bisect_right(ends, i)
        return self.count[ends[at]] - self.count[i] if at < len(ends) else 0

    # -- placing --

    def place_all(self) -> list[Row]:
        for i, (raw, code, name) in enumerate(self.raws):
            placed = self._place(i, raw, code)
            if placed is None:
                continue
            full, level, parent = placed
            row = Row(raw.line, full, name, level, parent)
            fill(row, raw)
            if full in self.by_code:
                first = self.by_code[full]
                self.unplaced.append(f"baris {raw.line}: kode {full} sudah ada di baris {first.line}")
                row = first
            else:
                self.rows.append(row)
                self.by_code[full] = row
                if level == KOMPONEN and parent is not None and _THREE_DIGITS.match(full.rsplit(".", 1)[-1]):
                    sums = self.komponen.setdefault(parent, [0, 0, 0])
                    sums[0] += row.pagu or 0
                    sums[1] += row.realisasi or 0
                    sums[2] += 1
            self.path = [*self.path[:level], row]
        return self.rows

    def _unknown(self, raw: RawRow, code: str, why: str) -> tuple[str, int, str | None] | None:
        """Record a code that has no place; ``None``: the row is not placed."""
        self.unplaced.append(f"baris {raw.line}: kode '{code}' {why}")
        return None

    def _place(self, i: int, raw: RawRow, code: str) -> tuple[str, int, str | None] | None:
        if PROGRAM_CODE.match(code):
            self.programs[code.rsplit(".", 1)[-1]] = code
            return code, PROGRAM, None
        if "." in code:
            return self._place_dotted(raw, code)
        return self._place_segment(i, raw, code, segment(code))

    def _place_dotted(self, raw: RawRow, code: str) -> tuple[str, int, str | None] | None:
        parts = code.split(".")
        path = self.path
        if len(parts) == 2 and _KRO.match(parts[0]) and _THREE_DIGITS.match(parts[1]):  # QGE.001
            if len(path) <= KRO or path[KRO].code.rsplit(".", 1)[-1] != parts[0]:
                return self._unknown(raw, code, "(RO) tidak didahului baris KRO yang sama")
            return self._under(path[KRO], parts[1])
        if (
            len(parts) == 2 and _THREE_DIGITS.match(parts[0]) and re.fullmatch(SUB_KOMPONEN_AFTER_KOMPONEN, parts[1])
        ):  # 051.0A
            if len(path) <= KOMPONEN or path[KOMPONEN].code.rsplit(".", 1)[-1] != parts[0]:
                return self._unknown(raw, code, "(sub komponen) tidak didahului baris komponen yang sama")
            seg = parts[1]
            if (
                f"{path[KOMPONEN].code}.{seg}" not in self.known
                and f"{path[KOMPONEN].code}.{seg.lstrip('0')}" in self.known
            ):
                seg = seg.lstrip("0")
            return self._under(path[KOMPONEN], seg)
        if _KEGIATAN.match(parts[0]):  # the POK's 6709.QGE.001: the program is the row above
            if not path:
                return self._unknown(raw, code, "tidak didahului baris program")
            code = f"{path[PROGRAM].code.rsplit('.', 1)[-1]}.{code}"
        prefixed = _PROGRAM_PREFIX.match(code)
        if prefixed:  # 076.01.CQ.6709.QGE: the program written in front
            self.programs.setdefault(prefixed.group(2), prefixed.group(1))
            code = f"{prefixed.group(2)}.{prefixed.group(3)}"
        parts = code.split(".")
        shapes = (_SHORT_PROGRAM, _KEGIATAN, _KRO, _THREE_DIGITS)
        if len(parts) < 2 or any(not (shapes[k] if k < 4 else _DETAIL).match(p) for k, p in enumerate(parts)):
            return self._unknown(raw, code, "tidak dikenali (contoh: 076.01.CQ, CQ.6709, QGE, QGE.001, 051, 051.0A)")
        level = len(parts) - 1
        parent = self.programs.get(parts[0]) if level == KEGIATAN else ".".join(parts[:-1])
        if parent is None:
            return self._unknown(
                raw, code, f"(kegiatan) di bawah program {parts[0]} yang tidak ada di masukan maupun di ekspor"
            )
        chain = [parent if level == KEGIATAN else self.programs.get(parts[0], parts[0])]
        chain += [".".join(parts[: k + 1]) for k in range(1, len(parts) - 1)]
        self.path = [self.by_code.get(c) or Row(0, c, "", k, None) for k, c in enumerate(chain)]
        return code, level, parent

    def _place_segment(self, i: int, raw: RawRow, code: str, seg: str) -> tuple[str, int, str | None] | None:
        path = self.path
        if seg in self.programs and _SHORT_PROGRAM.match(seg) and (len(path) <= RO + 1 or self._kegiatan_next(i, seg)):
            return self.programs[seg], PROGRAM, None  # CQ, not a sub-komponen
        if _SHORT_PROGRAM.match(seg) and not path:
            return self._unknown(
                raw, code, f"(program) tidak ada di masukan: kode lengkapnya (mis. 076.01.{seg}) tidak dapat ditentukan"
            )
        if _KEGIATAN.match(seg):
            if not path:
                return self._unknown(raw, code, "(kegiatan) tidak didahului baris program")
            return f"{path[PROGRAM].code.rsplit('.', 1)[-1]}.{seg}", KEGIATAN, path[PROGRAM].code
        if _KRO.match(seg):
            if len(path) <= KEGIATAN:
                return self._unknown(raw, code, "(KRO) tidak didahului baris kegiatan")
            return self._under(path[KEGIATAN], seg)
        if _THREE_DIGITS.match(seg):
            if len(path) <= KRO:
                return self._unknown(raw, code, "(RO) tidak didahului baris KRO")
            if len(path) <= RO:
                return self._under(path[KRO], seg)
            verdict = self._is_komponen(i, seg)
            if verdict is None:
                return self._unknown(
                    raw,
                    code,
                    f"di bawah RO {path[RO].code} (baris {path[RO].line}): komponen atau "
                    "RO berikutnya? Tingkatnya tidak pasti; tulis kode lengkap di ekspor",
                )
            return self._under(path[RO], seg) if verdict else self._under(path[KRO], seg)
        if _AKUN.match(seg):
            if len(path) <= RO:
                return self._unknown(raw, code, "(akun) tidak didahului baris RO atau komponen")
            parent = path[-2] if _AKUN.match(path[-1].code.rsplit(".", 1)[-1]) else path[-1]
            return self._under(parent, seg)
        if _SUB_KOMPONEN.match(seg):
            if len(path) <= KOMPONEN or not _THREE_DIGITS.match(path[KOMPONEN].code.rsplit(".", 1)[-1]):
                return self._unknown(raw, code, "(sub komponen) tidak didahului baris komponen")
            return self._under(path[KOMPONEN], seg)
        return self._unknown(raw, code, "tidak dikenali (contoh: 076.01.CQ, 6709, QGE, 001, 521211)")

    def _kegiatan_next(self, i: int, seg: str) -> bool:
        """A known short program code below a komponen is the next program when its kegiatan
        (``WA.3355`` or ``3355``) follows; a sub-komponen is never followed by a kegiatan."""
        if i + 1 >= len(self.raws):
            return False
        code = self.raws[i + 1][1]
        return bool(_KEGIATAN.match(code) or re.fullmatch(rf"{re.escape(seg)}\.{Level.KEGIATAN.info.segment}", code))

    def _detail_only(self, code: str) -> bool:
        """Segments only found below a komponen: sub-komponen letters, 6-digit akun."""
        seg = segment(code)
        return "." not in code and bool(
            _SUB_KOMPONEN.match(seg) and not (seg in self.programs and _SHORT_PROGRAM.match(seg)) or _AKUN.match(seg)
        )

    @staticmethod
    def _under(parent: Row, seg: str) -> tuple[str, int, str | None]:
        return f"{parent.code}.{seg}", parent.level + 1, parent.code

    def _is_komponen(self, i: int, seg: str) -> bool | None:
        """A 3-digit segment below an RO: True komponen, False the next RO, None not certain."""
        ro = self.path[RO]
        sibling = f"{self.path[KRO].code}.{seg}"
        target = (ro.pagu or 0, ro.realisasi or 0)
        if self.dotted_ro:  # ROs are written QGE.001 in this file: a bare 051 is a komponen
            return True
        done = self.komponen.get(ro.code)
        if done:
            return (done[0], done[1]) != target
        if i + 1 < len(self.raws) and self._detail_only(self.raws[i + 1][1]):
            self.detailed = True
            return True
        count = self._rows_adding_up(i, target) if target != (0, 0) else 0
        if count >= 2:
            self.detailed = True
            return True
        if sibling in self.known and sibling != ro.code:
            return False  # the input knows it as an RO
        if count == 1 and self.detailed:
            return True  # an export that goes below RO has komponen under every RO
        if count == 1 or target == (0, 0):
            return None  # one row equal to its RO, or an RO of nothing: either reading fits
        return False  # rows from here never add up to the RO above: not its komponen
