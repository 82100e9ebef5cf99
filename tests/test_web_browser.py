"""``kpu-docs serve`` end to end in a real headless Chromium (Playwright), one server per module.

Skipped when /usr/bin/chromium or Playwright is missing; CI installs both (.ci/run).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import docx
import openpyxl
import pytest
from tools.chromium import CHROMIUM, launch

from kpu_docs.figures.derive import Level
from kpu_docs.publish.build import prepare

from .conftest import ROOT

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium (/usr/bin/chromium) is not installed"),
]
expect = playwright_api.expect
SERANG = "kpu-kota-serang"
RO = "program[0].kegiatan[0].output[0].sub_output[0]"  # CQ.6709.QGE.001
KEGIATAN, PROGRAM = "program[0].kegiatan[0]", "program[0]"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A copy of inputs/ served on a free port; the browser; the folder."""
    from kpu_docs.web.server import make

    folder = tmp_path_factory.mktemp("served") / "inputs"
    shutil.copytree(ROOT / "inputs", folder)
    server = make(folder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        yield {"base": f"http://127.0.0.1:{server.server_port}", "folder": folder, "browser": browser}
        browser.close()
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(site):
    """A fresh page at 1366×768 over freshly copied inputs (no versions, no outputs)."""
    folder = site["folder"]
    for office in (SERANG, "kpu-kabupaten-contoh"):
        for src in (ROOT / "inputs" / office).glob("*.yaml"):
            shutil.copyfile(src, folder / office / src.name)
    for extra in (".versi", "keluaran"):
        shutil.rmtree(folder / extra, ignore_errors=True)
    context = site["browser"].new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


def field(page, path: str):
    return page.locator(f'[id="f-{path}"]')


def row_figure(page, row: str, key: str):
    return page.locator(f'tr[data-row="{row}"] [data-fig="{key}"]')


def docx_text(path: Path) -> str:
    document = docx.Document(path)
    cells = (c.text for t in document.tables for r in t.rows for c in r.cells)
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def test_edit_an_ro_pagu_then_save_build_and_download(site, page):
    yaml_path = site["folder"] / SERANG / "2023.yaml"
    before = yaml_path.read_text(encoding="utf-8")
    office = f"{site['base']}/kantor/{SERANG}/2023"
    page.goto(office + "#anggaran")
    expect(page.locator("#counts")).not_to_be_empty()
    expect(row_figure(page, KEGIATAN, "pagu")).to_have_text("1.279.853.000")
    expect(page.locator("#findings")).not_to_contain_text("tidak sama dengan jumlah rinciannya")

    # typing an RO's pagu the Indonesian way updates its kegiatan and program, and the findings
    field(page, f"{RO}.pagu").fill("900.000.000")  # was 852.312.000: +47.688.000
    expect(row_figure(page, KEGIATAN, "pagu")).to_have_text("1.327.541.000")
    expect(row_figure(page, PROGRAM, "pagu")).to_have_text("18.303.981.000")
    expect(row_figure(page, RO, "sisa")).to_have_text("48.415.484")
    expect(row_figure(page, RO, "persen")).to_have_text("94,62%")
    expect(page.locator("#findings")).to_contain_text(
        "pagu yang tertulis (Rp1.279.853.000) tidak sama dengan jumlah rinciannya (Rp1.327.541.000)"
    )

    # a finding is a link to the field it concerns
    page.locator("#findings a", has_text="CQ.6709 pagu yang tertulis").click()
    expect(field(page, f"{KEGIATAN}.pagu")).to_be_focused()

    page.click("#save")
    expect(page.locator(".flash")).to_contain_text("Tersimpan")
    after = yaml_path.read_text(encoding="utf-8")
    old_line = "                pagu: 852312000\n"
    assert after.count(old_line) == 0 and before.count(old_line) == 1
    assert after == before.replace(old_line, "                pagu: 900000000\n")  # that value, nothing else
    assert '              # Pagu Rp1.000: alokasi "pengunci" (blokir) tanpa realisasi.\n' in after

    # the input now has errors (stated parent figures): the build is refused, on the page
    page.goto(office + "/laporan")
    page.uncheck("#want-pdf") if page.locator("#want-pdf").is_enabled() else None
    page.click("#build")
    expect(page.locator("#progress-text")).to_contain_text("Laporan tidak dibuat", timeout=30_000)

    # "samakan" sets each stated parent pagu to the sum of its children
    page.goto(office + "#anggaran")
    for row in (PROGRAM, KEGIATAN, f"{KEGIATAN}.output[0]"):
        page.locator(f'.stated[data-path="{row}.pagu"] .match').click()
    expect(page.locator("#counts")).to_contain_text("0 galat")
    page.click("#save")
    expect(page.locator(".flash")).to_contain_text("Tersimpan")
    report, _ = prepare(yaml_path)
    assert [line.figures.pagu for line in report.lines() if line.level <= Level.OUTPUT][:3] == [
        18_303_981_000,
        1_327_541_000,
        1_321_063_000,
    ]

    page.goto(office + "/laporan")
    if page.locator("#want-pdf").is_enabled():
        page.uncheck("#want-pdf")
    page.click("#build")
    expect(page.locator(".flash")).to_contain_text("Selesai", timeout=60_000)
    with page.expect_download() as info:
        page.click('a[data-kind="docx"]')
    download = info.value
    assert download.suggested_filename == "laporan-tahunan-2023-kpu-kota-serang.docx"
    text = docx_text(Path(download.path()))
    assert "Alokasi anggarannya sebesar Rp900.000.000" in text
    assert "Rp852.312.000" not in text

    # two versions were kept; the diff between the first and now names the change; restore it
    page.goto(office + "/versi")
    rows = page.locator("tr[data-version]")
    expect(rows).to_have_count(3)
    oldest = rows.nth(2).get_attribute("data-version")
    page.check(f'input[name="a"][value="{oldest}"]')
    page.check('input[name="b"][value="sekarang"]')
    page.click("text=Bandingkan")
    expect(page.locator("#compared")).to_contain_text("~ CQ.6709.QGE.001 pagu: 852.312.000 → 900.000.000 (+47.688.000)")
    rows.nth(2).locator("button", has_text="Pulihkan").click()
    expect(page.locator(".flash")).to_contain_text("dipulihkan")
    assert yaml_path.read_text(encoding="utf-8") == before


def _export(yaml_path: Path, out: Path, changes: dict[str, int]) -> Path:
    """A SAKTI realisation export of the input with some realisasi changed (header Kode/Uraian/Pagu/Realisasi)."""
    report, _ = prepare(yaml_path)
    leaves = {
        line.code: [line.figures.pagu, changes.get(line.code, line.figures.realisasi)]
        for line in report.lines()
        if not line.children
    }

    def figures(line):
        if not line.children:
            return leaves[line.code]
        sums = [figures(c) for c in line.children]
        return [sum(s[0] for s in sums), sum(s[1] for s in sums)]

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["LAPORAN REALISASI ANGGARAN BELANJA"])
    ws.append([])
    ws.append(["Kode", "Uraian", "Pagu", "Realisasi"])
    for line in report.lines():
        ws.append([line.code, line.name, *figures(line)])
    ws.append(["", "JUMLAH SELURUHNYA", *[sum(figures(p)[i] for p in report.programs) for i in (0, 1)]])
    wb.save(out)
    return out


def test_import_a_sakti_export_after_seeing_its_totals(site, page, tmp_path):
    yaml_path = site["folder"] / "kpu-kabupaten-contoh" / "2024.yaml"
    before = yaml_path.read_text(encoding="utf-8")
    export = _export(yaml_path, tmp_path / "realisasi-sakti.xlsx", {"CQ.6709.QGE.001": 398_000_000})
    office = f"{site['base']}/kantor/kpu-kabupaten-contoh/2024"
    page.goto(office + "/impor")
    page.set_input_files('input[name="ekspor"]', str(export))
    page.click("text=Baca ekspor")
    card = page.locator("section.card")
    expect(card).to_contain_text("realisasi-sakti.xlsx")
    expect(card.locator("table.totals")).to_contain_text("Jumlah menurut ekspor")
    expect(card.locator("ul.changes")).to_contain_text("CQ.6709.QGE.001 realisasi")
    assert yaml_path.read_text(encoding="utf-8") == before  # nothing written before confirming
    page.click("#apply-import")
    expect(page.locator(".flash")).to_contain_text("Impor diterapkan")
    after = yaml_path.read_text(encoding="utf-8")
    assert after != before
    report, _ = prepare(yaml_path)
    assert next(x for x in report.lines() if x.code == "CQ.6709.QGE.001").figures.realisasi == 398_000_000
    assert "# Realisasi melebihi pagu (sengaja, contoh peringatan)." in after  # comments kept
    assert len(list((site["folder"] / ".versi" / "kpu-kabupaten-contoh" / "2024").iterdir())) == 1


def test_path_traversal_and_cross_site_requests_are_refused(site, page):
    base = site["base"]
    yaml_path = site["folder"] / SERANG / "2023.yaml"
    before = yaml_path.read_text(encoding="utf-8")
    for bad in (
        "/kantor/..%2F..%2F..%2Fetc/passwd",
        "/kantor/%2e%2e/2023",
        "/kantor/kpu-kota-serang/..%2f2023",
        "/kantor/kpu-kota-serang/2023/unduh/..%2F..%2F2023.yaml",
        "/kantor/kpu-kota-serang/2023/versi/..%2F..%2F2023",
    ):
        response = page.goto(base + bad)
        assert response.status == 404, bad
        assert "root:" not in page.content()
    # a form on another site that posts to the page: refused, nothing changes
    page.goto("about:blank")
    page.set_content(
        f'<form method="post" action="{base}/kantor/{SERANG}/2023/impor/terapkan">'
        '<input name="token" value="x"><button>kirim</button></form>'
    )
    with page.expect_navigation():
        page.click("button")
    assert "permintaan dari situs lain ditolak" in page.content()
    # the page's own JSON endpoint without its CSRF token: refused
    page.goto(f"{base}/kantor/{SERANG}/2023")
    status = page.evaluate(f"""() => fetch("/kantor/{SERANG}/2023/simpan", {{method: "POST",
        headers: {{"Content-Type": "application/json"}}, body: JSON.stringify({{fields: {{"satker.wilayah": "X"}}}})}})
        .then(r => r.status)""")
    assert status == 400
    assert yaml_path.read_text(encoding="utf-8") == before


def test_a_new_office_and_next_year_from_the_list(site, page):
    base = site["base"]
    page.goto(base + "/")
    page.select_option('select[name="tingkat"]', "kabupaten")
    page.fill('input[name="wilayah"]', "Uji Coba")
    page.fill('input[name="tahun"]', "2025")
    page.click("text=Buat kantor")
    expect(page.locator("header nav .here")).to_contain_text("KPU Kabupaten Uji Coba · 2025")
    created = site["folder"] / "kpu-kabupaten-uji-coba" / "2025.yaml"
    assert prepare(created)[0].data.office.region == "Uji Coba"
    # a paragraph added on the page lands in the file as a folded block
    page.goto(f"{base}/kantor/kpu-kabupaten-uji-coba/2025#narasi")
    page.locator('[data-list="narasi.penutup"] .add-item').click()
    field(page, "narasi.penutup[0]").fill("Demikian laporan ini kami sampaikan.")
    # and an RO's narrative, from its row in the budget table; its finding goes as it is typed
    page.click('button[data-section="anggaran"]')
    ro = "program[0].kegiatan[0].output[0].sub_output[0]"
    expect(page.locator("#findings")).to_contain_text("belum memiliki narasi")
    page.locator(f'tr[data-row="{ro}"] .narrative-toggle').click()
    page.locator(f'[data-list="{ro}.narasi"] .add-item').click()
    field(page, f"{ro}.narasi[0]").fill("Layanan perkantoran berjalan sepanjang tahun.")
    expect(page.locator("#findings")).not_to_contain_text("belum memiliki narasi")
    page.click("#save")
    expect(page.locator(".flash")).to_contain_text("Tersimpan")
    data = prepare(created)[0].data
    assert data.narratives.closing == ["Demikian laporan ini kami sampaikan."]
    assert data.programs[0].kegiatan[0].outputs[0].sub_outputs[0].narrative == [
        "Layanan perkantoran berjalan sepanjang tahun."
    ]
    # a whole subbagian is added from the organisation form
    page.click('button[data-section="organisasi"]')
    page.locator('.list-action[data-path="organisasi.subbagian"]').click()
    expect(page.locator(".flash")).to_contain_text("Butir baru ditambahkan")
    expect(page.locator('[id="f-organisasi.subbagian[1].nama"]')).to_have_value("(isi nama)")
    assert len(prepare(created)[0].data.organisation.subdivisions) == 2
    page.goto(base + "/")
    page.locator('tr[data-office="kpu-kabupaten-uji-coba"] button', has_text="Mulai tahun 2026").click()
    expect(page.locator("header nav .here")).to_contain_text("2026")
    assert prepare(created.with_name("2026.yaml"))[0].data.year == 2026
    shutil.rmtree(created.parent)
