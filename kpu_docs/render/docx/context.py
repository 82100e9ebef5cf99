"""The Word template's data: every figure and count formatted once, in Indonesian.

The template owns the wording; this module owns the values. Keys are stable: a user's
restyled template depends on them (``kpu-docs template check`` lists them).
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from kpu_docs.figures.derive import BudgetLine, Figures, Report
from kpu_docs.figures.indicators import measure_text
from kpu_docs.figures.indicators import rows as indicator_rows
from kpu_docs.figures.sections import Outline, outline
from kpu_docs.formatting import amount, count, date_id, percent, percent_number, rupiah
from kpu_docs.input.model import Division, Signatory, StaffGroup, Subdivision, cell_value
from kpu_docs.render.docx.typography import paragraphs
from kpu_docs.render.names import file_names
from kpu_docs.vocabulary import NARRATIVES, REPORTED, Level

REPORT_DEPTH = REPORTED[-1].level  # the report narrates down to RO; deeper levels stay in the annex


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


PlacePicture = Callable[[str | None, tuple, str], str]
"""How pictures enter the context: (the file the input names, None for the neutral logo; its
key path in the input, for messages; the context key that carries it: ``logo``, ``extra`` or
``closing_images``) → the text the template shows in its place (run XML when rendering)."""


def no_picture(file: str | None, key_path: tuple, slot: str) -> str:
    """Pictures left empty: the context's shape without a Word file to place them in."""
    return ""


def build_context(report: Report, place: PlacePicture = no_picture) -> dict[str, Any]:
    """Everything the Word template may use, pictures included (through ``place``): plain data
    (str, int, bool, lists, dicts), every amount, percent, count and date already formatted as
    the report prints it. Keys: ``office``, ``year``, the letter, place, date and signatories,
    the narrative sections (``vocabulary.NARRATIVES``' attributes: lists of paragraphs),
    ``org``, ``programs``/``capaian`` (BAB II and III), ``chapters``/``subs``/``tables`` (the
    outline's numbers), ``extra`` (added sections by place, ``figures.sections.POINTS``),
    ``logo`` and ``closing_images``. Whatever ``place`` raises (an ``ImageError``) passes through."""
    data = report.data
    office = data.office
    meta = data.report
    plan = outline(report)
    context = {
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
        "signatory": _signatory(meta.signatory),
        "acknowledger": _signatory(meta.acknowledger),
        **{s.attribute: paragraphs(getattr(data.narratives, s.attribute)) for s in NARRATIVES},
        "annex": {
            "file": file_names(data)["xlsx"],
            "depth": max((line.level for line in report.lines()), default=Level.PROGRAM).noun,
        },
        "org": _organisation(report),
        "total": figures(report.total),
        "program_count": count(len(report.programs), Level.PROGRAM.noun),
        "programs": [_program(p, i, plan.table("program", i, 0)) for i, p in enumerate(report.programs)],
        "capaian": _all_capaian(report, plan),
        "slogan": data.slogan or "",
        "chapters": dict(plan.chapters),
        "subs": {
            anchor.split(".", 1)[1]: label
            for anchor, label in plan.subsections.items()
            if anchor in ("organisasi.struktur", "organisasi.anggaran", "capaian.indikator")
        },
        "tables": {
            "programs": plan.table("programs", 0),
            "sources": plan.table("sources", 0) if report.grants else "",
            "indicators": plan.table("indicators", 0) if data.indicators else "",
        },
        "sources": _sources(report, plan),
        "grand_total": figures(report.grand_total),
        "indicators": _indicators(report),
        "indicators_previous": int(any(i.previous is not None for g in data.indicators for i in g.indicators)),
        "previous_year": str(data.year - 1),
        "extra": _extra(report, plan),
        "data_source": data.data_source.describe() if data.data_source else "",  # "SAKTI, GLP039, periode …"
    }
    _place_pictures(context, report, place)
    return context


def _place_pictures(context: dict[str, Any], report: Report, place: PlacePicture) -> None:
    """The pictures' keys, placed in one order (it fixes the Word file's relationship ids):
    the logo, the added sections' pictures, the closing images."""
    context["logo"] = place(report.data.office.logo, ("satker", "logo"), "logo")
    for section in added_sections(context):
        for picture in section["pictures"]:
            picture["image"] = place(picture["file"], tuple(picture["key"]), "extra")
    context["closing_images"] = [
        _closing_image(place(img.file, ("gambar_penutup", i, "berkas"), "closing_images"), img.caption or "")
        for i, img in enumerate(report.data.closing_images)
    ]


def _closing_image(image: str, caption: str) -> dict[str, str]:
    return {"image": image, "caption": caption}


def _placed_sections(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The added sections (not their subsections) in the context (see ``_extra``)."""
    placed = [s for sections in context["extra"].values() for s in sections]
    return placed + [s for item in context["capaian"] for s in item["extra"]]


def added_sections(context: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every added section and subsection in the context."""
    for section in _placed_sections(context):
        yield section
        yield from section["subsections"]


def _signatory(person: Signatory | None) -> dict[str, str]:
    """Title, name and NIP; all empty when the report has no such signatory."""
    if person is None:
        return {"title": "", "name": "", "nip": ""}
    return {"title": person.title, "name": person.name, "nip": person.nip or ""}


def _program(line: BudgetLine, index: int, table: str) -> dict[str, Any]:
    return {
        "label": label(Level.PROGRAM, index),
        "number": str(index + 1),
        "table": table,
        "code": line.code,
        "name": bare_name(line.name, Level.PROGRAM.noun),
        **figures(line.figures),
        "kegiatan_count": count(len(line.children), Level.KEGIATAN.noun),
        "kegiatan": [
            {"label": label(Level.KEGIATAN, i), "code": k.code, "name": k.name, **figures(k.figures)}
            for i, k in enumerate(line.children)
        ],
    }


def _all_capaian(report: Report, plan: Outline) -> list[dict[str, Any]]:
    """BAB III in reading order: the DIPA's programs, then each grant's; a program's label
    and the sections placed before it come from the outline."""
    items: list[dict[str, Any]] = []
    programs: list[tuple[BudgetLine, Any, str]] = [
        (p, None, f"capaian_program_{i}") for i, p in enumerate(report.programs)
    ]
    programs += [
        (p, g, f"capaian_grant_{gi}_{i}") for gi, g in enumerate(report.grants) for i, p in enumerate(g.programs)
    ]
    for k, (program, grant, point) in enumerate(programs):
        first = _capaian(program, k)
        first[0]["label"] = plan.program_labels[k]
        first[0]["extra"] = _placed(report, plan, point)
        first[0]["source"] = grant.name if grant else ""
        items += first
    return items


def _capaian(line: BudgetLine, index: int) -> list[dict[str, Any]]:
    """One program's part of BAB III, flattened in reading order: one item per node down to RO."""
    shown = [] if line.level >= REPORT_DEPTH else line.children
    item = {
        "level": int(line.level),
        "label": label(line.level, index),
        "code": line.code,
        "name": bare_name(line.name, Level.PROGRAM.noun) if line.level == Level.PROGRAM else line.name,
        **figures(line.figures),
        "children": count(len(shown), Level(line.level + 1).noun) if shown else "",
        "narrative": paragraphs(line.narrative),
        "obstacles": [
            {"obstacle": obstacle, "solution": solution}
            for obstacle, solution in zip(
                paragraphs([o.obstacle for o in line.obstacles]), paragraphs([o.solution for o in line.obstacles])
            )
        ],
        "extra": [],
        "source": "",
    }
    return [item, *(sub for i, child in enumerate(shown) for sub in _capaian(child, i))]


# --- funding sources -----------------------------------------------------------------------------


def _sources(report: Report, plan: Outline) -> list[dict[str, Any]]:
    """One row per source for the recap table, and each grant's program tables."""
    out = []
    for s, source in enumerate(report.sources):
        grant = source.grant
        agreement = grant.agreement if grant else None
        out.append(
            {
                "label": f"{s + 1}.",
                # a grant's item in BAB II B follows the DIPA's programs (1., 2., …)
                "number": f"{len(report.programs) + s}." if source.is_grant else "",
                "name": source.name,
                "source": source.source,
                "is_grant": int(source.is_grant),  # plain data: 0 or 1
                "nphd": (
                    f"Naskah Perjanjian Hibah Daerah (NPHD) Nomor {agreement.number} tanggal {date_id(agreement.date)}"
                )
                if agreement
                else "",
                **figures(source.total),
                "program_count": count(len(source.programs), Level.PROGRAM.noun),
                "programs": (
                    [_program(p, i, plan.table("grant", s - 1, "program", i, 0)) for i, p in enumerate(source.programs)]
                    if source.is_grant
                    else []
                ),
            }
        )
    return out


# --- indicators -----------------------------------------------------------------------------------


def _indicators(report: Report) -> list[dict[str, str]]:
    """The indicator table's rows; the sasaran is written on its first indicator only."""
    out = []
    previous_goal = None
    for n, row in enumerate(indicator_rows(report.data.indicators), start=1):
        ind = row.indicator
        out.append(
            {
                "number": str(n),
                "goal": row.goal if row.goal_index != previous_goal else "",
                "name": ind.name,
                "unit": ind.unit,
                "target": measure_text(ind.target),
                "realisasi": measure_text(ind.realisasi),
                "previous": measure_text(ind.previous),
                "capaian": percent_number(row.capaian),
                "kategori": row.kategori,
            }
        )
        previous_goal = row.goal_index
    return out


# --- sections the input adds ------------------------------------------------------------------


def _extra(report: Report, plan: Outline) -> dict[str, list[dict[str, Any]]]:
    """The added sections at each point of the template (see ``sections.outline``)."""
    return {
        point: _placed(report, plan, point)
        for point in plan.points
        if not point.startswith("capaian_") or point in ("capaian_start", "capaian_end")
    }


def _placed(report: Report, plan: Outline, point: str) -> list[dict[str, Any]]:
    out = []
    for placed in plan.points.get(point, []):
        section = report.data.sections[placed.index]
        if placed.chapter:
            heading = f"BAB {placed.label} {section.title.upper()}" if placed.label else section.title.upper()
        else:
            heading = f"{placed.label} {section.title}"
        body = _body(report, plan, section, ("section", placed.index))
        body["subsections"] = [
            {"heading": f"{sub_label} {sub.title}", **_body(report, plan, sub, ("section", placed.index, k))}
            for k, (sub_label, sub) in enumerate(zip(placed.sub_labels, section.subsections))
        ]
        out.append({"chapter": int(placed.chapter), "heading": heading, **body})
    return out


def _body(report: Report, plan: Outline, section, key: tuple) -> dict[str, Any]:
    # where the section is in the input, for messages: ("bab_tambahan", i[, "subbab", k])
    key_path = ("bab_tambahan", key[1]) if len(key) == 2 else ("bab_tambahan", key[1], "subbab", key[2])
    return {
        "paragraphs": paragraphs(section.paragraphs),
        "tables": [_table(t, plan.table(*key, i)) for i, t in enumerate(section.tables)],
        "pictures": [
            {"file": p.file, "caption": p.caption or "", "image": "", "key": [*key_path, "gambar", j, "berkas"]}
            for j, p in enumerate(section.pictures)
        ],
    }


def _table(table, number: str) -> dict[str, Any]:
    """A table written in the input: headers (rupiah columns get "(Rp)"), cells formatted,
    and a Jumlah row over the rupiah and number columns when asked."""
    kinds = [c.kind for c in table.columns]
    headers = []
    for column in table.columns:
        title = column.title
        if column.kind == "rupiah" and "(Rp)" not in title:
            title += " (Rp)"
        headers.append({"text": title, "right": 0})
    values = [[cell_value(cell, kind) for cell, kind in zip(row, kinds)] for row in table.rows]
    rows = [
        {"cells": [{"text": _cell_text(v, k), "right": int(k != "teks")} for v, k in zip(row, kinds)]} for row in values
    ]
    total = []
    if table.total:
        for col, kind in enumerate(kinds):
            column = [row[col] for row in values if row[col] is not None]
            if kind in ("rupiah", "angka"):
                total.append({"text": _cell_text(sum(column, 0 if kind == "rupiah" else Decimal(0)), kind), "right": 1})
            else:
                total.append({"text": "Jumlah" if col == 0 else "", "right": 0})
    return {
        "caption": f"Tabel {number}. {table.caption}",
        "number": number,
        "headers": headers,
        "rows": rows,
        "total": total,
    }


def _cell_text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "rupiah":
        return amount(value)
    if kind == "angka":
        return measure_text(value)
    if kind == "persen":
        return measure_text(value) + "%"
    return str(value)


def _organisation(report: Report) -> dict[str, Any]:
    org = report.data.organisation
    functional = org.functional
    subs = org.all_subdivisions
    units = len(org.subdivisions) + len(org.divisions)  # what the Sekretariat lists directly
    return {
        "legal_basis": paragraphs(org.legal_basis),
        "secretary": org.secretary,
        "heads": count(len(subs), "orang"),
        "heads_text": _heads(org.divisions, subs),
        "commissioners": [
            {"label": f"{i + 1}.", "title": c.title, "name": c.name, "division": c.division or ""}
            for i, c in enumerate(org.commissioners)
        ],
        "commissioner_count": count(len(org.commissioners), "orang"),
        "subdivisions": [_subdivision(s, i) for i, s in enumerate(org.subdivisions)],
        "divisions": [_division(d, len(org.subdivisions) + i) for i, d in enumerate(org.divisions)],
        "staff_total": count(sum(len(g.names) for g in org.staff_groups), "orang"),
        "staff_recap": _staff_recap(org.staff_groups),
        "functional": {
            "label": f"{units + 1}.",
            "description": paragraphs(functional.description) if functional else [],
            "holders": join_names(list(functional.holders)) if functional else "",
            "count": count(len(functional.holders), "orang") if functional else "",
        },
    }


def _heads(divisions: list[Division], subs: list[Subdivision]) -> str:
    """Who helps the Sekretaris, counted from the structure given: ``4 (empat) orang Kepala
    Subbagian dan kelompok Jabatan Fungsional``, or with Bagian ``3 (tiga) orang Kepala Bagian,
    6 (enam) orang Kepala Subbagian, dan kelompok Jabatan Fungsional``."""
    heads = [f"{count(len(divisions), 'orang')} Kepala Bagian"] if divisions else []
    heads.append(f"{count(len(subs), 'orang')} Kepala Subbagian")
    return join_names([*heads, "kelompok Jabatan Fungsional"])


def _staff_recap(groups: list[StaffGroup]) -> str:
    """``PNS 5 (lima) orang dan PPNPN 7 (tujuh) orang``: staff counted by status from the lists
    (heads of Bagian/Subbagian, the Sekretaris and the functional positions not included)."""
    counts: Counter[str] = Counter()
    for group in groups:
        counts[group.status] += len(group.names)
    parts = [f"{status} {count(counts[status], 'orang')}" for status in ("PNS", "PPNPN") if counts[status]]
    return " dan ".join(parts)


def _division(division: Division, index: int) -> dict[str, Any]:
    return {
        "label": f"{index + 1}.",
        "name": division.name,
        "tasks": paragraphs(division.tasks),
        "head": division.head,
        "heads": count(len(division.subdivisions), "orang"),
        "staff_count": count(sum(len(g.names) for g in division.staff), "orang"),
        "staff": [_staff(g) for g in division.staff],
        "subdivisions": [_subdivision(s, i, nested=True) for i, s in enumerate(division.subdivisions)],
    }


def _subdivision(sub: Subdivision, index: int, nested: bool = False) -> dict[str, Any]:
    return {
        "label": label(Level.OUTPUT, index) if nested else f"{index + 1}.",
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


# --- for `kpu-docs template check` ----------------------------------------------------------------


def check_context(contexts: list[dict[str, Any]]) -> dict[str, Any]:
    """One context offering every key a template may use, for checking a template's tags: the
    given contexts merged, each list reduced to one item holding every key its items have, and
    every place for added sections (``extra.*``, each program's ``extra``) given that shape."""
    merged: dict[str, Any] = {}
    for context in contexts:
        merged = _merge(merged, context)
    sections = [s for c in contexts for s in _placed_sections(c)]
    example = [_merge_items(sections)] if sections else []
    if example:  # a subsection holds what a section holds, whichever the samples happen to show
        body = {k: example[0][k] for k in ("heading", "paragraphs", "tables", "pictures")}
        example[0]["subsections"] = [_merge_items([*example[0]["subsections"], body])]
    merged["extra"] = {point: example for point in merged["extra"]}
    for item in merged["capaian"]:
        item["extra"] = example
    merged["closing_images"] = [
        _merge_items([*merged["closing_images"], _closing_image("", "")])
    ]  # even if none has one
    return merged


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **{k: _merge(a[k], v) if k in a else v for k, v in b.items()}}
    if isinstance(a, list) and isinstance(b, list):
        items = [*a, *b]
        return [_merge_items(items)] if any(isinstance(i, dict) for i in items) else items[:1]
    return b if b not in (None, "", [], {}) else a


def _merge_items(items: list) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if isinstance(item, dict):
            out = _merge(out, item)
    return out
