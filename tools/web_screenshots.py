"""Screenshots of `kpu-docs serve`'s main pages at 1366×768 (docs/screenshots/, README).

    python tools/web_screenshots.py [OUT_DIR]

Serves a copy of inputs/ (the real files are never touched) and drives the system's headless
Chromium with Playwright.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.chromium import launch  # noqa: E402

from kpu_docs.web.server import make  # noqa: E402


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "inputs"
        shutil.copytree(ROOT / "inputs", folder)
        server = make(folder)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        office = f"{base}/kantor/kpu-kota-serang/2023"
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(base + "/")
            page.screenshot(path=str(out / "daftar-kantor.png"))
            page.goto(office + "#anggaran")
            page.wait_for_selector("#counts:not(:empty)")
            ro = page.locator('[id="f-program[0].kegiatan[0].output[0].sub_output[0].pagu"]')
            ro.fill("900.000.000")
            expect(page.locator("#findings")).to_contain_text("tidak sama dengan jumlah rinciannya")
            page.screenshot(path=str(out / "anggaran.png"))
            page.click('button[data-section="identitas"]')
            page.screenshot(path=str(out / "identitas.png"))
            page.click('button[data-section="organisasi"]')
            page.screenshot(path=str(out / "organisasi.png"))
            page.click('button[data-section="anggaran"]')
            page.locator('.stated[data-path="program[0].pagu"] .match').click()
            page.locator('.stated[data-path="program[0].kegiatan[0].pagu"] .match').click()
            page.locator('.stated[data-path="program[0].kegiatan[0].output[0].pagu"] .match').click()
            expect(page.locator("#counts")).to_contain_text("0 galat")
            page.click("#save")
            expect(page.locator(".flash")).to_contain_text("Tersimpan")
            page.goto(office + "/laporan")
            page.click("#build")
            page.wait_for_url("**pesan=*", timeout=120_000)
            page.locator(".pages img").last.scroll_into_view_if_needed()
            page.wait_for_load_state("networkidle")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(out / "buat-unduh.png"))
            page.goto(office + "/impor")
            page.set_input_files('input[name="ekspor"]', str(_export(folder, Path(tmp) / "realisasi-sakti.xlsx")))
            page.click("text=Baca ekspor")
            page.screenshot(path=str(out / "impor.png"))
            page.goto(office + "/versi")
            page.click("text=Bandingkan")
            page.screenshot(path=str(out / "versi.png"))
            browser.close()
        server.shutdown()


def _export(folder: Path, out: Path) -> Path:
    """A small SAKTI-like export of the sample with one realisasi changed."""
    import openpyxl

    from kpu_docs.publish.build import prepare

    report, _ = prepare(folder / "kpu-kota-serang" / "2023.yaml")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["LAPORAN REALISASI ANGGARAN BELANJA"])
    ws.append(["Kode", "Uraian", "Pagu", "Realisasi"])
    bump = {"CQ.6709.QGE.001", "CQ.6709.QGE", "CQ.6709", "076.01.CQ"}
    for line in report.lines():
        f = line.figures
        ws.append([line.code, line.name, f.pagu, f.realisasi + (15_484 if line.code in bump else 0)])
    ws.append(["", "JUMLAH SELURUHNYA", report.total.pagu, report.total.realisasi + 15_484])
    wb.save(out)
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
