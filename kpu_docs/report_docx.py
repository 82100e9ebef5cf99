"""Render the Word report: docxtpl for the template, python-docx for what it cannot do
(the table of contents' cached entries, bookmarks, document properties)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError, UndefinedError

from .context import build_context
from .derive import Report
from .errors import KpuDocsError
from .templating import NEUTRAL_LOGO, default_template, environment, resource
from .toc import TocEntry, fill_toc


def render_docx(report: Report, out: Path, template: Path | None = None,
                pages: dict[str, str] | None = None) -> list[TocEntry]:
    """Write the report to ``out``; return the table of contents' entries.

    ``pages`` maps an entry's text to its page number once known (from a PDF pass).
    """
    template = template or default_template()
    try:
        tpl = DocxTemplate(str(template))
    except Exception as exc:  # a file that is not a .docx: say so, with its name
        raise KpuDocsError(f"{template}: bukan templat .docx yang dapat dibaca ({exc})") from None
    context = build_context(report)
    logo = report.data.office.logo
    context["logo"] = InlineImage(tpl, str(report.document.resolve(logo) if logo else resource(NEUTRAL_LOGO)),
                                  width=Mm(45))
    for section in _added_sections(context):  # pictures of the sections the input adds
        for picture in section["pictures"]:
            picture["image"] = InlineImage(tpl, picture["file"], width=Mm(120))
    context["closing_images"] = [
        {"image": InlineImage(tpl, str(report.document.resolve(img.file)), width=Mm(60)), "caption": img.caption or ""}
        for img in report.data.closing_images
    ]
    try:
        tpl.render(context, jinja_env=environment(), autoescape=True)
    except UndefinedError as exc:
        raise KpuDocsError(_undefined_message(template, tpl, exc)) from None
    except TemplateError as exc:
        around = " / ".join(line.strip() for line in getattr(exc, "docx_context", []) if line.strip())
        raise KpuDocsError(f"{template}: templat tidak sah ({exc}). Di sekitar: {around[:300]}") from None
    entries = fill_toc(tpl.docx, pages or {})
    _properties(tpl, report)
    tpl.save(str(out))
    return entries


def _added_sections(context: dict):
    """Every added section and subsection in the context (see ``context._extra``)."""
    placed = [s for sections in context["extra"].values() for s in sections]
    placed += [s for item in context["capaian"] for s in item["extra"]]
    for section in placed:
        yield section
        yield from section["subsections"]


def _undefined_message(template: Path, tpl: DocxTemplate, exc: UndefinedError) -> str:
    """Name the misspelled tag and the paragraph around it."""
    match = re.search(r"attribute '([^']+)'|'([^']+)' is undefined", str(exc))
    name = next((g for g in match.groups() if g), None) if match else None
    where = ""
    if name:
        for paragraph in _all_paragraphs(tpl):
            text = paragraph.text
            tag = re.search(r"\{[{%][^}]*\b" + re.escape(name) + r"\b[^}]*[}%]\}", text)
            if tag:
                where = f" Tag {tag.group(0)} di paragraf: \"{text.strip()[:160]}\"."
                break
    return (f"{template}: tag templat menyebut data yang tidak ada ({exc}).{where} Periksa ejaannya; "
            "`kpu-docs template check` menampilkan nama data yang tersedia.")


def _all_paragraphs(tpl: DocxTemplate):
    doc = DocxTemplate(str(tpl.template_file)).get_docx()
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _properties(tpl: DocxTemplate, report: Report) -> None:
    data = report.data
    props = tpl.docx.core_properties
    props.title = f"Laporan Tahunan {data.year} {data.office.long_name}"
    props.subject = f"Laporan Tahunan Tahun Anggaran {data.year}"
    props.author = data.office.long_name
    props.last_modified_by = data.office.long_name
    props.language = "id-ID"
    props.keywords = f"laporan tahunan; {data.year}; {data.office.name}"
    props.comments = "Dibuat dengan kpu-docs dari berkas masukan; angka dan jumlah dihitung otomatis."
    stamp = dt.datetime.combine(data.report.date, dt.time())
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
