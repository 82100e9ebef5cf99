"""Render the Word report: docxtpl for the template, python-docx for what it cannot do
(the table of contents' cached entries, bookmarks, document properties)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from docx.shared import Mm
from docxtpl import DocxTemplate
from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import UndefinedError
from markupsafe import Markup

from kpu_docs.errors import KpuDocsError, TemplateError
from kpu_docs.figures.derive import Report
from kpu_docs.input.pictures import Picture, load_picture
from kpu_docs.render.docx.conform import conform
from kpu_docs.render.docx.context import build_context
from kpu_docs.render.docx.docxtemplate import IncompleteDocument, Template
from kpu_docs.render.docx.images import inline_xml
from kpu_docs.render.docx.table_list import fill_table_list, in_reading_order
from kpu_docs.render.docx.templating import (
    NEUTRAL_LOGO,
    check_archive,
    check_loaded_template,
    default_template,
    document_references,
    drop_attached_template,
    environment,
    is_checked,
    read_template,
    resource,
    time_limit,
)
from kpu_docs.render.docx.toc import TocEntry, fill_toc
from kpu_docs.render.docx.typography import no_break_hyphens
from kpu_docs.render.zipping import drop_unused_parts, save_docx

PICTURE_WIDTHS = {"logo": Mm(45), "extra": Mm(120), "closing_images": Mm(60)}  # by the context key carrying it


def render_docx(
    report: Report, out: Path, template: Path | None = None, pages: dict[str, str] | None = None
) -> list[TocEntry]:
    """Write the report to ``out``; return the table of contents' entries.

    ``pages`` maps an entry's text to its page number once known (from a PDF pass).
    The template renders in the sandbox of ``templating`` (plain data only, bounded
    operations, a time budget of ``templating.RENDER_SECONDS``); pictures are placed here,
    outside it. Raises KpuDocsError for a template that is not a sound .docx, links to
    anything outside itself, breaks a sandbox rule or renders an incomplete document;
    nothing is left at ``out`` then.
    """
    template = template or default_template()
    data = read_template(template)  # checked once per content in a process, and rendered from these bytes
    checked = is_checked(data)
    if not checked:
        check_archive(template, data)  # a readable archive of modest size, before anything is unpacked
    try:
        tpl = Template(io.BytesIO(data))
        tpl.init_docx()
    except Exception as exc:  # a file that is not a .docx: say so, with its name
        raise TemplateError(f"{template}: bukan templat .docx yang dapat dibaca ({exc})") from None
    if not checked:
        check_loaded_template(template, data, tpl.docx)  # nothing outside itself; its parsed parts reused
    drop_attached_template(tpl.docx)

    def place(name: str | None, key_path: tuple, slot: str) -> str:
        picture = _picture(report, name, key_path)
        return Markup(inline_xml(tpl, picture, PICTURE_WIDTHS[slot], (slot,)))

    context = build_context(report, place)  # plain data (text, numbers, lists, dicts), pictures as run XML
    try:
        with time_limit():
            tpl.render(context, jinja_env=environment(), autoescape=True)
    except UndefinedError as exc:
        raise TemplateError(_undefined_message(template, tpl, exc)) from None
    except JinjaTemplateError as exc:
        around = " / ".join(line.strip() for line in getattr(exc, "docx_context", []) if line.strip())
        raise TemplateError(f"{template}: templat tidak sah ({exc}). Di sekitar: {around[:300]}") from None
    except IncompleteDocument as exc:
        raise TemplateError(
            f"{template}: hasil render tidak utuh ({exc}); laporan tidak ditulis. Periksa teks yang sangat panjang "
            "di masukan dan tag templat yang memotong paragraf"
        ) from None
    except MemoryError:
        raise TemplateError(f"{template}: render templat kehabisan memori; laporan tidak ditulis") from None
    except RecursionError:  # a macro that calls itself without end
        raise TemplateError(
            f"{template}: templat memanggil makro secara berulang tanpa akhir (rekursi terlalu dalam); "
            "laporan tidak ditulis"
        ) from None
    entries = fill_toc(tpl.docx, pages or {})
    entries = in_reading_order(tpl.docx, entries + fill_table_list(tpl.docx, pages or {}))
    no_break_hyphens(tpl.docx.element.body)
    conform(tpl.docx.element.body)
    _properties(tpl, report)
    drop_unused_parts(tpl.docx)
    found = document_references(tpl.docx)  # e.g. a field code composed from the input's text
    if found:
        raise TemplateError(
            f"{template}: laporan hasil render memuat tautan ke luar dokumen ({'; '.join(found[:3])}); "
            "laporan tidak ditulis. Periksa tag templat di dalam kolom (field) Word"
        )
    save_docx(tpl.docx, out)  # one reproducible zip; docxtpl's save would need re-zipping
    return entries


def _picture(report: Report, name: str | None, key_path: tuple) -> Picture:
    """The input's picture, checked again here (the file may have changed since validation);
    the neutral logo when the input names none. That one ships with kpu-docs, like the
    template, and is read as it is: ``load_picture``'s checks are for the pictures an input
    names, and decoding it would load an image library into every build without a logo."""
    if not name:
        path = resource(NEUTRAL_LOGO)
        return Picture(path, path.read_bytes())
    try:
        return load_picture(report.document.path.parent if report.document.path else Path.cwd(), name)
    except KpuDocsError as exc:
        raise KpuDocsError(f"{report.document.location(key_path)}: {exc}") from None


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
                where = f' Tag {tag.group(0)} di paragraf: "{text.strip()[:160]}".'
                break
    return (
        f"{template}: tag templat menyebut data yang tidak ada ({exc}).{where} Periksa ejaannya; "
        "`kpu-docs template check` menampilkan nama data yang tersedia."
    )


def _all_paragraphs(tpl: DocxTemplate):
    source = tpl.template_file
    doc = DocxTemplate(io.BytesIO(source.getvalue()) if isinstance(source, io.BytesIO) else str(source)).get_docx()
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
