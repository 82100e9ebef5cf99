"""The honest bare-xlsxwriter baseline for the annex: the same workbook, replayed.

``read_annex`` reads a workbook written by ``write_annex`` once (untimed, with openpyxl and
the sheets' XML): every sheet with its cells (strings, numbers, formulas with their cached
values) and each cell's format, column widths, row heights and outline levels, frozen
panes, autofilters, conditional formats, print setup (paper, orientation, fit to page,
margins, centring, repeated rows, header and footer) and the bar chart. ``write_bare``
then writes all of that with plain xlsxwriter calls from the precomputed lists: what a
hand-written script producing the same file costs, without any of kpu-docs' derivation.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries


@dataclass
class Sheet:
    name: str
    cells: list[tuple[int, int, str, object, object, int]] = field(
        default_factory=list
    )  # r, c, kind, content, cached, format
    widths: dict[int, float] = field(default_factory=dict)
    rows: dict[int, tuple[float | None, int]] = field(default_factory=dict)  # height, outline level
    freeze: tuple[int, int] | None = None
    autofilter: tuple[int, int, int, int] | None = None
    conditional: list[tuple[tuple[int, int, int, int], str, float]] = field(default_factory=list)
    fit: tuple[int, int] | None = None
    repeat: int | None = None
    header: str = ""
    footer: str = ""
    outline_above: bool = False
    chart: dict | None = None


@dataclass
class Annex:
    properties: dict
    formats: list[dict]
    alert: dict
    sheets: list[Sheet]
    active: int = 0

    @property
    def n_cells(self) -> int:
        return sum(len(s.cells) for s in self.sheets)

    @property
    def n_formulas(self) -> int:
        return sum(kind == "f" for s in self.sheets for _, _, kind, *_ in s.cells)


def _rgb(color) -> str | None:
    value = getattr(color, "rgb", None)
    return f"#{value[-6:]}" if isinstance(value, str) and len(value) >= 6 else None


def _format(cell) -> dict:
    font, fill, border, align = cell.font, cell.fill, cell.border, cell.alignment
    props: dict = {}
    if font.b:
        props["bold"] = True
    if font.i:
        props["italic"] = True
    if font.sz and float(font.sz) != 11:
        props["font_size"] = float(font.sz)
    if _rgb(font.color) and _rgb(font.color) != "#000000":
        props["font_color"] = _rgb(font.color)
    if fill.fill_type == "solid" and _rgb(fill.fgColor):
        props["bg_color"] = _rgb(fill.fgColor)
    if border.left.style:
        props["border"] = 1
    if align.wrap_text:
        props["text_wrap"] = True
    if align.indent:
        props["indent"] = int(align.indent)
    if align.horizontal:
        props["align"] = align.horizontal
    if align.vertical:
        props["valign"] = {"center": "vcenter"}.get(align.vertical, align.vertical)
    if cell.number_format and cell.number_format != "General":
        props["num_format"] = cell.number_format
    return props


def read_annex(path: Path) -> Annex:
    """Everything ``write_bare`` needs to write the same workbook (done once, untimed)."""
    formulas = load_workbook(path)
    values = load_workbook(path, data_only=True)
    with zipfile.ZipFile(path) as z:
        xml = {name: z.read(name).decode("utf-8") for name in z.namelist() if name.endswith(".xml")}
    formats: dict[tuple, int] = {}
    sheets = []
    for number, ws in enumerate(formulas.worksheets, start=1):
        sheet = Sheet(ws.title)
        cached = values[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                props = _format(cell)
                index = formats.setdefault(tuple(sorted(props.items())), len(formats))
                r, c = cell.row - 1, cell.column - 1
                if cell.data_type == "f":
                    sheet.cells.append(
                        (r, c, "f", str(getattr(cell.value, "text", cell.value)), cached[cell.coordinate].value, index)
                    )
                elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    sheet.cells.append((r, c, "n", cell.value, None, index))
                elif cell.value is not None:
                    sheet.cells.append((r, c, "s", str(cell.value), None, index))
                else:
                    sheet.cells.append((r, c, "b", None, None, index))
        for letter, dim in ws.column_dimensions.items():
            if dim.width:
                first, _, last, _ = range_boundaries(f"{letter}1")
                for col in range(dim.min or first, (dim.max or first) + 1):
                    sheet.widths[col - 1] = round(dim.width - 0.7109375, 4)  # xlsxwriter adds the padding back
        for r, dim in ws.row_dimensions.items():
            if dim.customHeight or dim.outlineLevel:
                sheet.rows[r - 1] = (dim.height if dim.customHeight else None, dim.outlineLevel or 0)
        if ws.freeze_panes:
            c1, r1, _, _ = range_boundaries(ws.freeze_panes)
            sheet.freeze = (r1 - 1, c1 - 1)
        if ws.auto_filter.ref:
            c1, r1, c2, r2 = range_boundaries(ws.auto_filter.ref)
            sheet.autofilter = (r1 - 1, c1 - 1, r2 - 1, c2 - 1)
        text = xml[f"xl/worksheets/sheet{number}.xml"]
        for sqref, operator, value in re.findall(
            r'<conditionalFormatting sqref="([^"]+)"><cfRule type="cellIs" dxfId="\d+" priority="\d+" '
            r'operator="(\w+)"><formula>([^<]+)</formula>',
            text,
        ):
            c1, r1, c2, r2 = range_boundaries(sqref)
            criteria = {"lessThan": "<", "greaterThan": ">"}[operator]
            sheet.conditional.append(((r1 - 1, c1 - 1, r2 - 1, c2 - 1), criteria, float(value)))
        if 'fitToPage="1"' in text:
            high = re.search(r'fitToHeight="(\d+)"', text)
            sheet.fit = (1, int(high.group(1)) if high else 1)
        sheet.outline_above = 'summaryBelow="0"' in text
        header = re.search(r"<oddHeader>(.*?)</oddHeader>", text)
        footer = re.search(r"<oddFooter>(.*?)</oddFooter>", text)
        unescape = lambda s: s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')  # noqa: E731
        sheet.header = unescape(header.group(1)) if header else ""
        sheet.footer = unescape(footer.group(1)) if footer else ""
        titles = re.search(rf'Print_Titles" localSheetId="{number - 1}">[^<]*!\$(\d+):', xml["xl/workbook.xml"])
        sheet.repeat = int(titles.group(1)) - 1 if titles else None
        sheets.append(sheet)
    _read_chart(xml, sheets)
    props = formulas.properties
    properties = {
        "title": props.title,
        "subject": props.subject,
        "author": props.creator,
        "keywords": props.keywords,
        "comments": props.description,
        "created": props.created,
        "company": "Komisi Pemilihan Umum",
    }
    alert = {"font_color": "#C00000", "bold": True}
    return Annex(
        properties,
        [dict(k) for k in formats],
        alert,
        sheets,
        active=next((i for i, ws in enumerate(formulas.worksheets) if ws == formulas.active), 0),
    )


def _read_chart(xml: dict[str, str], sheets: list[Sheet]) -> None:
    chart = xml.get("xl/charts/chart1.xml")
    drawing = xml.get("xl/drawings/drawing1.xml")
    if not chart or not drawing:
        return
    title = "".join(re.findall(r"<a:t>([^<]*)</a:t>", chart.split("</c:title>")[0]))
    name = re.search(r"<c:tx><c:v>([^<]*)</c:v>", chart).group(1)
    categories = re.search(r"<c:cat>.*?<c:f>([^<]+)</c:f>", chart).group(1)
    values = re.search(r"<c:val>.*?<c:f>([^<]+)</c:f>", chart).group(1)
    sheet_name = categories.split("!")[0].strip("'")
    start = re.search(
        r"<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff><xdr:row>(\d+)</xdr:row>"
        r"<xdr:rowOff>(\d+)</xdr:rowOff>",
        drawing,
    )
    size = re.search(r'<a:ext cx="(\d+)" cy="(\d+)"/>', drawing) or re.search(
        r'<xdr:ext cx="(\d+)" cy="(\d+)"/>', drawing
    )
    target = next(s for s in sheets if s.name == sheet_name)
    target.chart = {
        "series": {
            "name": name,
            "categories": f"={categories}",
            "values": f"={values}",
            "fill": {"color": "#4472C4"},
            "gap": 60,
        },
        "title": {"name": title, "name_font": {"size": 12}},
        "x_axis": {"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}, "name": "% penyerapan"},
        "y_axis": {"reverse": True},
        "at": (int(start.group(3)), int(start.group(1))),
        "offset": {"x_offset": int(start.group(2)) // 9525, "y_offset": int(start.group(4)) // 9525},
        "size": {"width": int(size.group(1)) // 9525, "height": int(size.group(2)) // 9525} if size else None,
    }


def write_bare(annex: Annex, out: Path) -> None:
    """Write ``annex`` with plain xlsxwriter calls from the precomputed lists (timed)."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "in_memory": True}
    workbook = xlsxwriter.Workbook(str(out), options)
    workbook.set_properties(annex.properties)
    formats = [workbook.add_format(props) for props in annex.formats]
    alert = workbook.add_format(annex.alert)
    worksheets = [workbook.add_worksheet(s.name) for s in annex.sheets]
    for sheet, ws in zip(annex.sheets, worksheets):
        for col, width in sheet.widths.items():
            ws.set_column(col, col, width)
        for row, (height, level) in sheet.rows.items():
            ws.set_row(row, height, None, {"level": level} if level else None)
        if sheet.outline_above:
            ws.outline_settings(True, False, True, False)
        for row, col, kind, content, value, fmt in sheet.cells:
            if kind == "f":
                ws.write_formula(row, col, content, formats[fmt], "" if value is None else value)
            elif kind == "n":
                ws.write_number(row, col, content, formats[fmt])
            elif kind == "s":
                ws.write_string(row, col, content, formats[fmt])
            else:
                ws.write_blank(row, col, None, formats[fmt])
        if sheet.freeze:
            ws.freeze_panes(*sheet.freeze)
        if sheet.autofilter:
            ws.autofilter(*sheet.autofilter)
        for area, criteria, value in sheet.conditional:
            ws.conditional_format(*area, {"type": "cell", "criteria": criteria, "value": value, "format": alert})
        if sheet.repeat is not None:
            ws.repeat_rows(sheet.repeat)
        ws.set_paper(9)
        ws.set_landscape()
        if sheet.fit:
            ws.fit_to_pages(*sheet.fit)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        ws.center_horizontally()
        ws.set_header(sheet.header, margin=0.3)
        ws.set_footer(sheet.footer, margin=0.3)
        if sheet.chart:
            spec = sheet.chart
            chart = workbook.add_chart({"type": "bar"})
            chart.add_series(spec["series"])
            chart.set_title(spec["title"])
            chart.set_x_axis(spec["x_axis"])
            chart.set_y_axis(spec["y_axis"])
            chart.set_legend({"none": True})
            if spec["size"]:
                chart.set_size(spec["size"])
            ws.insert_chart(*spec["at"], chart, spec["offset"])
    worksheets[annex.active].activate()
    workbook.close()
