"""``kpu-docs serve`` without a browser: the YAML text edits, the forms, and the server's safety
rules, through Flask's test client."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil

import pytest

from kpu_docs.cli.main import main
from kpu_docs.input.load import loads
from kpu_docs.publish.build import prepare
from kpu_docs.web import forms
from kpu_docs.web.app import create_app
from kpu_docs.web.skeleton import skeleton
from kpu_docs.web.workspace import digest
from kpu_docs.web.yaml_edit import Edit, EditError, apply_edits

from .conftest import ROOT, SAMPLE

RO = ("program", 0, "kegiatan", 0, "output", 0, "sub_output")


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    import difflib

    return sorted(
        (line[0], line[2:]) for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"
    )


# --- value-level YAML edits -------------------------------------------------------------------------


def test_a_figure_keeps_its_style_and_every_other_byte():
    text = SAMPLE.read_text(encoding="utf-8")
    after = apply_edits(text, [Edit((*RO, 0, "pagu"), 900_000_000), Edit((*RO, 1, "pagu"), 2_500)])
    assert changed_lines(text, after) == sorted(
        [
            ("-", "                pagu: 852312000"),
            ("+", "                pagu: 900000000"),
            ("-", '                pagu: "1.000"'),
            ("+", '                pagu: "2.500"'),
        ]
    )
    data = loads(after).data
    assert data.programs[0].kegiatan[0].outputs[0].sub_outputs[1].pagu == 2_500


def test_a_paragraph_stays_a_folded_block_and_comments_between_paragraphs_survive():
    text = SAMPLE.read_text(encoding="utf-8")
    new = "Paragraf yang diubah di halaman, cukup panjang untuk dilipat menjadi lebih dari satu baris oleh kpu-docs."
    after = apply_edits(text, [Edit(("narasi", "pendahuluan", 2), new)])
    assert loads(after).data.narratives.introduction[2] == new
    assert "    # Di sumber paragraf berikut terpotong oleh pergantian halaman\n" in after
    assert "    - >-\n      Paragraf yang diubah di halaman, cukup panjang untuk dilipat menjadi lebih\n" in after
    assert len(after.splitlines()) < len(text.splitlines())  # the old 15-line paragraph is gone, nothing else


def test_optional_keys_are_added_and_removed_and_lists_grow_and_shrink():
    text = SAMPLE.read_text(encoding="utf-8")
    after = apply_edits(
        text,
        [
            Edit(("laporan", "penandatangan", "nip"), "198001012005011001"),
            Edit(("program", 0, "pagu"), None),
            Edit(("narasi", "penutup", 2), "Paragraf penutup baru."),
            Edit(("organisasi", "subbagian", 0, "staf", 1, "nama", 2), "Budi, S.E."),
            Edit(("organisasi", "subbagian", 0, "staf", 2, "nama", 0), None),
            Edit(("laporan", "tanggal"), dt.date(2024, 2, 1)),
        ],
    )
    data = loads(after).data
    assert data.report.signatory.nip == "198001012005011001"
    assert data.programs[0].pagu is None
    assert data.narratives.closing[-1] == "Paragraf penutup baru."
    staff = data.organisation.subdivisions[0].staff
    assert staff[1].names == ["Ahmad Rojikin", "Amalia Khoirunnisa", "Budi, S.E."]
    assert staff[2].names == ["Dicky Himawan", "Rizki Maulana"]
    assert data.report.date == dt.date(2024, 2, 1)
    assert '# Sumber: "Petugas keamanan/jagat saksana" (jaga/satpam).' in after


def test_a_byte_order_mark_crlf_and_wide_characters_do_not_shift_an_edit():
    text = "\ufeff" + SAMPLE.read_text(encoding="utf-8").replace("  wilayah: Serang\n", "  wilayah: Serang 😀\n")
    text = text.replace("\n", "\r\n")
    after = apply_edits(text, [Edit((*RO, 0, "realisasi"), 851_600_000), Edit(("laporan", "tempat"), "Serang 𝔘")])
    assert after == text.replace("realisasi: 851584516\r\n", "realisasi: 851600000\r\n").replace(
        "  tempat: Serang\r\n", "  tempat: Serang 𝔘\r\n"
    )


def test_emptying_and_refilling_a_list_round_trips():
    text = skeleton("kota", "Contoh Baru", 2025)
    filled = apply_edits(text, [Edit(("narasi", "penutup", 0), "Satu."), Edit(("narasi", "penutup", 1), "Dua.")])
    assert loads(filled).data.narratives.closing == ["Satu.", "Dua."]
    assert apply_edits(filled, [Edit(("narasi", "penutup", 0), None), Edit(("narasi", "penutup", 1), None)]) == text


def test_an_edit_that_cannot_be_made_is_refused():
    text = SAMPLE.read_text(encoding="utf-8")
    with pytest.raises(EditError, match="tidak ada di berkas"):
        apply_edits(text, [Edit(("program", 9, "pagu"), 1)])
    with pytest.raises(EditError, match="bukan satu nilai"):
        apply_edits(text, [Edit(("laporan",), "x")])
    with pytest.raises(EditError, match="berurutan"):
        apply_edits(text, [Edit(("narasi", "penutup", 5), "loncat")])


def test_a_new_office_skeleton_is_schema_valid():
    report, findings = prepare_text(skeleton("provinsi", 'Banten "Baru"', 2025))
    assert report.data.office.region == 'Banten "Baru"'
    assert report.data.year == 2025
    assert any("narasi" in f.message for f in findings)  # it says what is still to be written


def prepare_text(text: str):
    from kpu_docs.checks.validate import validate
    from kpu_docs.figures.derive import derive

    report = derive(loads(text))
    return report, validate(report)


# --- forms -----------------------------------------------------------------------------------------


def test_form_values_are_read_with_the_loaders_rules():
    edits, errors = forms.parse(
        {
            "program[0].kegiatan[0].output[0].sub_output[0].pagu": "Rp1.279.853.000",
            "program[0].pagu": "",
            "laporan.tanggal": "31-01-2024",
            "satker.tingkat": "desa",
            "narasi.pendahuluan[1]": "satu\n  dua",
            "narasi.pendahuluan[2]": "",
            "tahun": "2024",
            "../../etc": "x",
            "organisasi.subbagian[0].staf[0].nama[0]": "Eli",
            "program[0].kegiatan[0].output[0].sub_output[0].realisasi": "1.000,5",
        }
    )
    assert Edit(("program", 0, "kegiatan", 0, "output", 0, "sub_output", 0, "pagu"), 1_279_853_000) in edits
    assert Edit(("program", 0, "pagu"), None) in edits  # an optional stated figure is removed
    assert Edit(("narasi", "pendahuluan", 1), "satu dua") in edits
    assert Edit(("narasi", "pendahuluan", 2), None) in edits  # an emptied paragraph is deleted
    assert set(errors) == {
        "laporan.tanggal",
        "satker.tingkat",
        "tahun",
        "../../etc",
        "program[0].kegiatan[0].output[0].sub_output[0].realisasi",
    }
    assert "YYYY-MM-DD" in errors["laporan.tanggal"]


# --- the server ------------------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "inputs"
    shutil.copytree(ROOT / "inputs" / "kpu-kota-serang", folder / "kpu-kota-serang")
    app = create_app(folder)
    app.config["WTF_CSRF_ENABLED"] = True
    return app, folder


def _token(client) -> str:
    import re

    page = client.get("/kantor/kpu-kota-serang/2023").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_pages_render_in_indonesian(served):
    app, _ = served
    client = app.test_client()
    index = client.get("/").get_data(as_text=True)
    assert "Kantor dan tahun" in index and "KPU Kota Serang" in index and "4 peringatan" in index  # 2 below 80 %
    edit = client.get("/kantor/kpu-kota-serang/2023").get_data(as_text=True)
    assert 'data-row="program[0].kegiatan[0]"' in edit and "1.279.853.000" in edit
    assert "Penyelenggaraan Pemilu dalam Proses Konsolidasi Demokrasi" in edit


def test_live_check_returns_derived_totals_and_findings(served):
    app, folder = served
    client = app.test_client()
    token = _token(client)
    text = (folder / "kpu-kota-serang" / "2023.yaml").read_text(encoding="utf-8")
    body = {"base": digest(text), "fields": {"program[0].kegiatan[0].output[0].sub_output[0].pagu": "900.000.000"}}
    data = client.post("/kantor/kpu-kota-serang/2023/periksa", json=body, headers={"X-CSRFToken": token}).get_json()
    assert data["figures"]["program[0].kegiatan[0]"]["pagu"] == "1.327.541.000"
    assert data["figures"]["program[0]"]["pagu"] == "18.303.981.000"
    assert data["figures"]["total"]["pagu"] == "20.463.424.000"
    assert any(f["target"] == "program[0].kegiatan[0].pagu" and f["severity"] == "galat" for f in data["findings"])
    bad = {"base": digest(text), "fields": {"program[0].kegiatan[0].output[0].sub_output[0].pagu": "sembilan"}}
    data = client.post("/kantor/kpu-kota-serang/2023/periksa", json=bad, headers={"X-CSRFToken": token}).get_json()
    assert "bukan jumlah Rupiah" in data["errors"]["program[0].kegiatan[0].output[0].sub_output[0].pagu"]


def test_saving_keeps_a_version_and_refuses_a_stale_page_or_an_unreadable_result(served):
    app, folder = served
    client = app.test_client()
    token = _token(client)
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    url, headers = "/kantor/kpu-kota-serang/2023/simpan", {"X-CSRFToken": token}
    emptied = client.post(url, json={"base": digest(text), "fields": {"satker.wilayah": ""}}, headers=headers)
    assert emptied.status_code == 400 and "tidak dapat dibaca" in emptied.get_json()["message"]
    stale = client.post(url, json={"base": "0" * 64, "fields": {"satker.wilayah": "Serang Baru"}}, headers=headers)
    assert stale.status_code == 400 and "diubah di tempat lain" in stale.get_json()["message"]
    assert path.read_text(encoding="utf-8") == text
    ok = client.post(url, json={"base": digest(text), "fields": {"satker.wilayah": "Serang Baru"}}, headers=headers)
    assert ok.get_json()["ok"], ok.get_json()
    assert path.read_text(encoding="utf-8") == text.replace("  wilayah: Serang\n", "  wilayah: Serang Baru\n")
    kept = list((folder / ".versi" / "kpu-kota-serang" / "2023").glob("*.yaml.versi"))
    assert [p.read_text(encoding="utf-8") for p in kept] == [text]
    # versions never look like inputs to `kpu-docs build inputs/`
    from kpu_docs.publish.build import find_inputs

    assert find_inputs([folder]) == [path]


def test_csrf_cross_site_foreign_host_and_traversal_are_refused(served):
    app, folder = served
    client = app.test_client()
    token = _token(client)
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    body = {"base": digest(text), "fields": {"satker.wilayah": "Diretas"}}
    url = "/kantor/kpu-kota-serang/2023/simpan"
    no_token = client.post(url, json=body)
    assert no_token.status_code == 400 and "CSRF" in no_token.get_json()["message"]
    cross = client.post(url, json=body, headers={"X-CSRFToken": token, "Origin": "http://jahat.example"})
    assert cross.status_code == 403
    fetch_site = client.post(url, json=body, headers={"X-CSRFToken": token, "Sec-Fetch-Site": "cross-site"})
    assert fetch_site.status_code == 403
    rebinding = client.get("/", headers={"Host": "jahat.example"})
    assert rebinding.status_code == 400
    for bad in (
        "/kantor/../2023",
        "/kantor/kpu-kota-serang/..%2F..%2Fetc",
        "/kantor/kpu-kota-serang/2023/unduh/yaml",
        "/kantor/kpu-kota-serang/2023/versi/..%2F2023",
        "/kantor/KPU/2023",
        "/kantor/kpu-kota-serang/1999",
    ):
        assert client.get(bad).status_code == 404, bad
    assert path.read_text(encoding="utf-8") == text


def test_a_symlink_out_of_the_folder_is_not_served(served, tmp_path):
    app, folder = served
    outside = tmp_path / "rahasia"
    outside.mkdir()
    shutil.copyfile(SAMPLE, outside / "2023.yaml")
    (folder / "kpu-bocor").symlink_to(outside)
    client = app.test_client()
    assert "kpu-bocor" not in client.get("/").get_data(as_text=True)
    assert client.get("/kantor/kpu-bocor/2023").status_code == 404


def test_uploads_are_bounded_and_a_bad_export_writes_nothing(served):
    app, folder = served
    client = app.test_client()
    token = _token(client)
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    url = "/kantor/kpu-kota-serang/2023/impor"
    huge = client.post(
        url,
        data={"csrf_token": token, "ekspor": (io.BytesIO(b"0" * (11 * 1024 * 1024)), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert huge.status_code == 413 and "terlalu besar" in huge.get_data(as_text=True)
    fake = client.post(
        url,
        data={"csrf_token": token, "ekspor": (io.BytesIO(b"bukan zip"), "ekspor.xlsx")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400 and "ekspor.xlsx tidak diimpor; masukan tidak diubah" in fake.get_data(as_text=True)
    wrong = client.post(
        url,
        data={"csrf_token": token, "ekspor": (io.BytesIO(b"x"), "../../ekspor.exe")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 400 and "bukan ekspor .xlsx atau .csv" in wrong.get_data(as_text=True)
    assert path.read_text(encoding="utf-8") == text
    assert not (folder / ".versi").exists()


def test_a_broken_input_is_shown_on_the_page_and_the_server_goes_on(served):
    app, folder = served
    path = folder / "kpu-kota-serang" / "2023.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("realisasi: 851584516", "realsasi: 851584516"), encoding="utf-8"
    )
    client = app.test_client()
    index = client.get("/").get_data(as_text=True)
    assert "tidak dapat dibaca" in index
    page = client.get("/kantor/kpu-kota-serang/2023")
    assert page.status_code == 200
    assert "kunci &#39;realsasi&#39; tidak dikenal; maksud Anda &#39;realisasi&#39;?" in page.get_data(as_text=True)
    download = client.get("/kantor/kpu-kota-serang/2023/unduh/docx")
    assert download.status_code == 400 and "belum dapat dibaca" in download.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_serve_refuses_a_missing_folder(tmp_path, capsys):
    assert main(["serve", str(tmp_path / "tidak-ada"), "--no-browser"]) == 1
    assert "tidak ditemukan" in capsys.readouterr().err


def test_an_unexpected_error_is_a_message_and_the_next_request_is_served(served, monkeypatch):
    from kpu_docs.web import checks

    app, _ = served
    client = app.test_client()
    real = checks.check_text
    monkeypatch.setattr(checks, "check_text", lambda *a: (_ for _ in ()).throw(RuntimeError("rusak")))
    broken = client.get("/kantor/kpu-kota-serang/2023")
    assert broken.status_code == 500
    assert "kesalahan tak terduga (RuntimeError: rusak); server tetap berjalan" in broken.get_data(as_text=True)
    monkeypatch.setattr(checks, "check_text", real)
    assert client.get("/kantor/kpu-kota-serang/2023").status_code == 200


def test_an_import_preview_is_used_once_and_only_for_its_own_input(served):
    app, folder = served
    client = app.test_client()
    token = _token(client)
    reply = client.post("/kantor/kpu-kota-serang/2023/impor/terapkan", data={"csrf_token": token, "token": "palsu"})
    assert reply.status_code == 400 and "sudah tidak berlaku" in reply.get_data(as_text=True)
    assert not (folder / ".versi").exists()


def test_a_subbagian_and_a_staff_group_are_added_and_removed_whole(served):
    app, folder = served
    client = app.test_client()
    token = _token(client)
    path = folder / "kpu-kota-serang" / "2023.yaml"
    url = "/kantor/kpu-kota-serang/2023/daftar"

    def act(aksi: str, where: str):
        text = path.read_text(encoding="utf-8")
        return client.post(url, data={"csrf_token": token, "base": digest(text), "path": where, "aksi": aksi})

    before = path.read_text(encoding="utf-8")
    assert act("tambah", "organisasi.subbagian").status_code == 302
    added = prepare(path)[0].data.organisation.subdivisions[-1]
    assert (added.name, added.head, added.tasks) == ("(isi nama)", "(isi kepala subbagian)", [])
    assert act("tambah", "organisasi.subbagian[4].staf").status_code == 302
    assert prepare(path)[0].data.organisation.subdivisions[4].staff[0].names == ["(isi nama)"]
    assert act("hapus", "organisasi.subbagian[4]").status_code == 302
    assert path.read_text(encoding="utf-8") == before
    assert act("hapus", "organisasi.subbagian[0].staf[2]").status_code == 302
    after = path.read_text(encoding="utf-8")
    assert "Yana Supriana" not in after and "Petugas keamanan/jagat saksana" not in after  # with its own comment
    assert len(list((folder / ".versi" / "kpu-kota-serang" / "2023").iterdir())) == 4
    assert act("tambah", "program").status_code == 400  # the budget comes from the DIPA, not from here
    assert act("hapus", "narasi.penutup[0]").status_code == 400


def test_an_unknown_version_id_is_not_found_not_an_unexpected_error(served):
    app, _ = served
    client = app.test_client()
    for bad in ("abc", "20231129T1700170000000", "20231399T250000000000"):
        reply = client.get(f"/kantor/kpu-kota-serang/2023/versi/{bad}")
        assert reply.status_code == 404, bad
        assert "kesalahan tak terduga" not in reply.get_data(as_text=True)


def test_a_json_body_that_is_not_an_object_is_refused_with_a_message(served):
    app, folder = served
    client = app.test_client()
    headers = {"X-CSRFToken": _token(client), "Content-Type": "application/json"}
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    for url in ("/kantor/kpu-kota-serang/2023/periksa", "/kantor/kpu-kota-serang/2023/simpan"):
        for body in ("[1, 2]", '"teks"', "7", "null"):
            reply = client.post(url, data=body, headers=headers)
            assert reply.status_code < 500, (url, body, reply.get_json())
            assert "kesalahan tak terduga" not in reply.get_json().get("message", "")
    assert path.read_text(encoding="utf-8") == text


def _glp039(tmp_path, name: str, extra: dict | None = None):
    """A GLP039 export of the sample (SAKTI.md layout); ``extra`` overrides cells by code."""
    from . import glp039
    from .test_sakti_import import revised

    return glp039.write_xlsx(tmp_path / name, glp039.rows(glp039.detailed(revised()), extra=extra))


def test_an_import_keeps_the_users_file_name_and_a_refusal_names_no_server_path(served, tmp_path):
    app, folder = served
    client = app.test_client()
    token = _token(client)
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    url = "/kantor/kpu-kota-serang/2023/impor"
    name = "Laporan Fa Detail (16 Segmen) (51).xlsx"
    good = _glp039(tmp_path, "baik.xlsx")
    preview = client.post(
        url, data={"csrf_token": token, "ekspor": (good.open("rb"), name)}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert f"{name}: " in preview
    import re

    plan = re.search(r'name="token" value="([^"]+)"', preview).group(1)
    client.post(url + "/terapkan", data={"csrf_token": token, "token": plan})
    after = path.read_text(encoding="utf-8")
    assert f"  berkas: {name}\n" in after  # the same record `kpu-docs import` writes for this file
    path.write_text(text, encoding="utf-8")

    from .glp039 import SD_DETAIL

    bad = _glp039(tmp_path, "buruk.xlsx", {"CQ.6709.QGE.001": {SD_DETAIL: 851_600_005.0}})  # adds up no more
    refused = client.post(
        url, data={"csrf_token": token, "ekspor": (bad.open("rb"), name)}, content_type="multipart/form-data"
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f"{name} tidak dapat diimpor; kpu-kota-serang/2023.yaml tidak diubah" in page
    assert "kpu-docs-impor-" not in page and str(folder) not in page
    assert '<pre class="totals">' in page and "JUMLAH SELURUHNYA" in page  # the export's totals, still shown
    assert path.read_text(encoding="utf-8") == text


def test_a_linked_versions_folder_or_version_file_never_reaches_outside_the_folder(served, tmp_path):
    app, folder = served
    client = app.test_client()
    token = _token(client)
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    outside = tmp_path / "luar"
    outside.mkdir()
    (folder / ".versi").symlink_to(outside)
    reply = client.post(
        "/kantor/kpu-kota-serang/2023/simpan",
        json={"base": digest(text), "fields": {"satker.wilayah": "X"}},
        headers={"X-CSRFToken": token},
    )
    assert reply.status_code == 400 and "di luar folder" in reply.get_json()["message"]
    assert list(outside.iterdir()) == [] and path.read_text(encoding="utf-8") == text  # not even a folder made
    (folder / ".versi").unlink()
    kept = folder / ".versi" / "kpu-kota-serang" / "2023"
    kept.mkdir(parents=True)
    secret = tmp_path / "rahasia.txt"
    secret.write_text("kata sandi kantor", encoding="utf-8")
    (kept / "20231129T170017000000.yaml.versi").symlink_to(secret)
    assert client.get("/kantor/kpu-kota-serang/2023/versi/20231129T170017000000").status_code == 404
    assert "20231129T170017000000" not in client.get("/kantor/kpu-kota-serang/2023/versi").get_data(as_text=True)


@pytest.mark.parametrize("value", ["Serang\u2028Banten", "Serang\u2029Banten", "Serang\rBanten"])
def test_a_pasted_line_separator_is_written_escaped_not_refused_as_broken_yaml(value):
    # PyYAML reads U+2028/U+2029/CR as line breaks in a plain or single-quoted scalar
    text = SAMPLE.read_text(encoding="utf-8")
    after = apply_edits(text, [Edit(("laporan", "tempat"), value)])
    assert loads(after).data.report.place == value
    assert changed_lines(text, after)[0] == (
        "+",
        '  tempat: "'
        + value.encode("unicode_escape").decode().replace("\\u2028", "\\L").replace("\\u2029", "\\P")
        + '"',
    )


def test_files_built_before_the_input_changed_are_marked_old(served):
    import time

    app, folder = served
    client = app.test_client()
    token = _token(client)
    headers = {"X-CSRFToken": token}
    url = "/kantor/kpu-kota-serang/2023"
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")

    def build():
        job = client.post(url + "/buat", json={"pdf": False}, headers=headers).get_json()
        for _ in range(600):
            state = client.get(f"/pekerjaan/{job['id']}").get_json()
            if state["state"] != "berjalan":
                return state
            time.sleep(0.1)
        raise AssertionError("build did not finish")

    assert build()["state"] == "selesai"
    assert 'id="stale"' not in client.get(url + "/laporan").get_data(as_text=True)
    saved = client.post(
        url + "/simpan", json={"base": digest(text), "fields": {"laporan.tempat": "Cilegon"}}, headers=headers
    ).get_json()
    page = client.get(url + "/laporan").get_data(as_text=True)
    assert 'id="stale"' in page and page.count(">lama</span>") == 2  # the DOCX and the XLSX
    # back to the content that was built: a rebuild would change nothing, so nothing is old
    client.post(f"{url}/versi/{saved['version']}/pulihkan", data={"csrf_token": token})
    assert path.read_text(encoding="utf-8") == text
    assert 'id="stale"' not in client.get(url + "/laporan").get_data(as_text=True)
    # a server started later knows no builds: a file older than the input is old (on the safe side)
    import os

    later = create_app(folder).test_client()
    os.utime(path, (time.time() - 3600, time.time() - 3600))
    assert 'id="stale"' not in later.get(url + "/laporan").get_data(as_text=True)
    os.utime(path, (time.time() + 60, time.time() + 60))
    assert 'id="stale"' in later.get(url + "/laporan").get_data(as_text=True)


@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_saving_keeps_the_inputs_permissions(served, mode):
    app, folder = served
    client = app.test_client()
    path = folder / "kpu-kota-serang" / "2023.yaml"
    os.chmod(path, mode)
    body = {"base": digest(path.read_text(encoding="utf-8")), "fields": {"satker.wilayah": "Serang Baru"}}
    ok = client.post("/kantor/kpu-kota-serang/2023/simpan", json=body, headers={"X-CSRFToken": _token(client)})
    assert ok.get_json()["ok"] and "Serang Baru" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == mode


def test_a_full_disk_on_saving_is_one_message_and_changes_nothing(served, monkeypatch):
    from kpu_docs.input import atomic

    app, folder = served
    client = app.test_client()
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    token = _token(client)
    real_replace = atomic.os.replace

    def full(src, dst, *args, **kwargs):
        if str(dst).endswith("2023.yaml"):
            raise OSError(28, "No space left on device", str(src), None, str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "replace", full)
    body = {"base": digest(text), "fields": {"satker.wilayah": "Serang Baru"}}
    failed = client.post("/kantor/kpu-kota-serang/2023/simpan", json=body, headers={"X-CSRFToken": token})
    assert failed.status_code == 500
    assert (
        failed.get_json()["message"]
        == "kpu-kota-serang/2023.yaml: ruang disk penuh; kosongkan ruang lalu ulangi (ENOSPC)"
    )
    assert path.read_text(encoding="utf-8") == text
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_a_save_by_another_editor_while_saving_is_not_replaced(served, monkeypatch):
    from kpu_docs.web.workspace import Workspace

    app, folder = served
    client = app.test_client()
    path = folder / "kpu-kota-serang" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    theirs = text.replace("  wilayah: Serang\n", "  wilayah: Serang Kota\n")
    real_keep = Workspace._keep

    def keep_then_other_editor_saves(self, *args):
        kept = real_keep(self, *args)
        path.write_text(theirs, encoding="utf-8")
        return kept

    monkeypatch.setattr(Workspace, "_keep", keep_then_other_editor_saves)
    body = {"base": digest(text), "fields": {"satker.wilayah": "Serang Baru"}}
    refused = client.post("/kantor/kpu-kota-serang/2023/simpan", json=body, headers={"X-CSRFToken": _token(client)})
    assert refused.status_code == 400 and "diubah di tempat lain" in refused.get_json()["message"]
    assert path.read_text(encoding="utf-8") == theirs
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")]
