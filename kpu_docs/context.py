"""The Word template's data: every figure and count formatted once, in Indonesian.

The template owns the wording; this module owns the values. Keys are stable: a user's
restyled template depends on them (``kpu-docs template check`` lists them).
"""

from __future__ import annotations

import string
from typing import Any

from .derive import BudgetLine, Figures, Level, Report
from .formatting import amount, count, date_id, percent, percent_number, rupiah
from .model import StaffGroup, Subdivision
from .outputs import file_names
from .typography import paragraphs

REPORT_DEPTH = Level.SUB_OUTPUT  # the report narrates down to RO; deeper levels stay in the annex


def figures(fig: Figures) -> dict[str, str]:
    """A node's figures as table cells (``pagu``) and as running text (``pagu_rp``)."""
    return {
        "pagu": amount(fig.pagu),
        "realisasi": amount(fig.realisasi),
        "sisa": amount(fig.sisa),
        "persen": percent_number(fig.ratio),
        "pagu_rp": rupiah(fig.pagu),
        "realisasi_rp": rupiah(fig.realisasi),
        "sisa_rp": rupiah(fig.sisa),
        "persen_teks": percent(fig.ratio),
    }


def join_names(names: list[str]) -> str:
    """``A``, ``A dan B``, ``A, B, dan C``."""
    if len(names) <= 2:
        return " dan ".join(names)
    return ", ".join(names[:-1]) + ", dan " + names[-1]


def bare_name(name: str, noun: str) -> str:
    """A name without its level's word in front, for a template that writes the word itself:
    SAKTI writes "Program Dukungan Manajemen", the template "Program {{ p.name }}"."""
    words = name.split(maxsplit=1)
    if len(words) == 2 and words[0].casefold() == noun.casefold():
        return words[1]
    return name


def label(level: int, index: int) -> str:
    """List labels per level, as in the example report: A., 1., a., 1)."""
    if level == Level.PROGRAM:
        return f"{string.ascii_uppercase[index]}."
    if level == Level.KEGIATAN:
        return f"{index + 1}."
    if level == Level.OUTPUT:
        return f"{_letters(index)}."
    return f"{index + 1})"


def _letters(index: int) -> str:
    """a … z, aa, ab … for long lists."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = string.ascii_lowercase[rem] + out
    return out


def build_context(report: Report) -> dict[str, Any]:
    """Everything the Word template may use."""
    data = report.data
    office = data.office
    meta = data.report
    return {
        "office": {
            "name": office.name,
            "long_name": office.long_name,
            "area": office.area,
            "area_upper": office.area.upper(),
        },
        "year": str(data.year),
        "letter": {
            "number": meta.request_letter.number,
            "date": date_id(meta.request_letter.date),
            "sender": meta.request_letter.sender,
        },
        "place": meta.place,
        "date": date_id(meta.date),
        "signatory": {"title": meta.signatory.title, "name": meta.signatory.name, "nip": meta.signatory.nip or ""},
        "foreword": paragraphs(data.narratives.foreword),
        "introduction": paragraphs(data.narratives.introduction),
        "closing": paragraphs(data.narratives.closing),
        "annex": {"file": file_names(data)["xlsx"],
                  "depth": max((line.level for line in report.lines()), default=Level.PROGRAM).noun},
        "org": _organisation(report),
        "total": figures(report.total),
        "program_count": count(len(report.programs), "Program"),
        "programs": [_program(p, i) for i, p in enumerate(report.programs)],
        "capaian": [item for i, p in enumerate(report.programs) for item in _capaian(p, i)],
        "slogan": data.slogan or "",
        "data_source": data.data_source.describe() if data.data_source else "",  # "SAKTI, GLP039, periode …"
    }


def _program(line: BudgetLine, index: int) -> dict[str, Any]:
    return {
        "label": label(Level.PROGRAM, index),
        "number": str(index + 1),
        "table": str(index + 2),  # table 1 is the summary per program
        "code": line.code,
        "name": bare_name(line.name, "Program"),
        **figures(line.figures),
        "kegiatan_count": count(len(line.children), "Kegiatan"),
        "kegiatan": [
            {"label": label(Level.KEGIATAN, i), "code": k.code, "name": k.name, **figures(k.figures)}
            for i, k in enumerate(line.children)
        ],
    }


def _capaian(line: BudgetLine, index: int) -> list[dict[str, Any]]:
    """BAB III, flattened in reading order: one item per node down to RO."""
    shown = [] if line.level >= REPORT_DEPTH else line.children
    item = {
        "level": int(line.level),
        "label": label(line.level, index),
        "code": line.code,
        "name": bare_name(line.name, "Program") if line.level == Level.PROGRAM else line.name,
        **figures(line.figures),
        "children": count(len(shown), Level(line.level + 1).noun) if shown else "",
        "narrative": paragraphs(line.narrative),
    }
    return [item, *(sub for i, child in enumerate(shown) for sub in _capaian(child, i))]


def _organisation(report: Report) -> dict[str, Any]:
    org = report.data.organisation
    functional = org.functional
    return {
        "legal_basis": paragraphs(org.legal_basis),
        "secretary": org.secretary,
        "heads": count(len(org.subdivisions), "orang"),
        "subdivisions": [_subdivision(s, i) for i, s in enumerate(org.subdivisions)],
        "staff_total": count(sum(len(g.names) for s in org.subdivisions for g in s.staff), "orang"),
        "functional": {
            "label": f"{len(org.subdivisions) + 1}.",
            "description": paragraphs(functional.description) if functional else [],
            "holders": join_names(list(functional.holders)) if functional else "",
            "count": count(len(functional.holders), "orang") if functional else "",
        },
    }


def _subdivision(sub: Subdivision, index: int) -> dict[str, Any]:
    return {
        "label": f"{index + 1}.",
        "name": sub.name,
        "tasks": paragraphs(sub.tasks),
        "head": sub.head,
        "staff_count": count(sum(len(g.names) for g in sub.staff), "orang"),
        "staff": [_staff(g) for g in sub.staff],
    }


def _staff(group: StaffGroup) -> dict[str, str]:
    return {
        "status": group.status,
        "role": group.role or "",
        "count": count(len(group.names), "orang"),
        "names": join_names(list(group.names)),
    }
