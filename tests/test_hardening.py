"""Hardening (issue 9): a template or an input from someone else can never read, write or
run anything; its cost is bounded; a batch survives any one failure; output is never
half-published. One test per hole, each reproducing the attack on a small fixture."""

from __future__ import annotations

import errno
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SecurityError
from markupsafe import Markup
from PIL import Image

from kpu_docs.cli.main import main
from kpu_docs.errors import KpuDocsError, OutputError, TemplateError
from kpu_docs.publish import build as build_mod
from kpu_docs.publish import outputs, workers
from kpu_docs.publish.build import build, prepare
from kpu_docs.render.docx import report_docx, templating
from kpu_docs.render.docx.report_docx import render_docx
from kpu_docs.render.docx.templating import default_template, environment

from .conftest import context_leaves
from .test_templates import edited_template

PLACE = "{{ place }}, {{ date }}"  # a paragraph of the default template that tests replace


def _png(path: Path, size=(4, 4)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 30)).save(path, format="PNG")
    return path


def _docx_text_everywhere(folder: Path) -> str:
    """Every byte of every XML part of every published .docx, as text."""
    out = []
    for docx in folder.rglob("*.docx"):
        with zipfile.ZipFile(docx) as z:
            out += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
    return "\n".join(out)


# --- the template sandbox --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "{{ logo.tpl.save(target) }}",
        "{{ logo.tpl.replace_zipname('word/document.xml', secret) }}{{ logo.tpl.zipname_to_replace }}",
        "{{ logo.tpl.write_xml(target) }}",
        "{{ logo.tpl.docx.part.package.save(target) }}",
    ],
)
def test_template_cannot_reach_docxtpl_through_the_logo(tag, tmp_path, sample_path):
    secret = tmp_path / "rahasia.xml"
    secret.write_text("<w:document>RAHASIA-JANGAN-DIBACA</w:document>", encoding="utf-8")
    target = tmp_path / "evil.pth"
    tag = tag.replace("target", repr(str(target))).replace("secret", repr(str(secret)))
    template = edited_template(tmp_path, PLACE, tag)
    out = tmp_path / "out"

    (result,) = build([sample_path], out, template, jobs=1)

    assert not result.ok
    assert "tpl" in result.reason and template.name in result.reason
    assert not target.exists()
    assert not list(out.rglob("*.docx")) and "RAHASIA" not in _docx_text_everywhere(out)


def test_the_rendered_context_is_plain_data(monkeypatch, tmp_path, sample_path):
    seen = {}
    real = report_docx.Template.render

    def spy(self, context, *args, **kwargs):
        seen.update(context)
        return real(self, context, *args, **kwargs)

    monkeypatch.setattr(report_docx.Template, "render", spy)
    report, _ = prepare(sample_path)
    render_docx(report, tmp_path / "r.docx")

    kinds = {type(v) for v in context_leaves(seen)}
    assert kinds <= {str, int, Markup}, kinds
    assert isinstance(seen["logo"], Markup) and "<w:drawing>" in seen["logo"]
    with zipfile.ZipFile(tmp_path / "r.docx") as z:  # the logo is really in the report
        assert any(n.startswith("word/media/") for n in z.namelist())
        assert re.search(r'r:embed="rId\d+"', z.read("word/document.xml").decode())


@pytest.mark.parametrize(
    "source",
    [
        "{{ obj.save(target) }}",
        "{{ obj.replace_zipname('word/document.xml', target) }}",
        "{{ obj.write_xml(target) }}",
        "{{ image.tpl }}",
        "{{ image.__html__() }}",
        "{{ opener(target, 'w') }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ 'x'.format.__globals__ }}",
    ],
)
def test_the_sandbox_refuses_anything_but_plain_data(source, tmp_path):
    """Even if a live object reached the context, a template could not use it."""
    tpl = DocxTemplate(str(default_template()))
    target = str(tmp_path / "ditulis.txt")
    with pytest.raises(SecurityError) as exc:
        environment().from_string(source).render(obj=tpl, image=InlineImage(tpl, "x.png"), opener=open, target=target)
    assert "templat" in str(exc.value)
    assert not os.path.exists(target)


def test_the_sandbox_still_allows_what_templates_use():
    text = (
        environment()
        .from_string(
            "{% macro m(a) %}[{{ a }}]{% endmacro %}{% for c in xs %}{{ loop.index }}{{ c.name|upper }}"
            "{{ loop.cycle('a', 'b') }}{% endfor %}{{ m(1) }}{{ 'x y'.split()|join('-') }}{{ 2 ** 10 }}"
            "{{ range(3)|list|length }}{{ xs|map(attribute='name')|join }}"
            "{% for x in tree recursive %}({{ x.n }}{{ loop(x.kids) }}){% endfor %}"
        )
        .render(xs=[{"name": "a"}, {"name": "b"}], tree=[{"n": 1, "kids": [{"n": 2, "kids": []}]}])
    )
    assert text == "1Aa2Bb[1]x-y10243ab(1(2))"


@pytest.mark.parametrize(
    "tag, said",
    [
        ("{{ 9**(9**9) }}", "terlalu besar"),
        ("{{ 'ab' * 10**8 }}", "terlalu besar"),
        ("{{ '%999999999d' % 1 }}", "terlalu besar"),
        ("{{ 'x'|center(10**9) }}", "terlalu besar"),
        ("{{ 'x'.ljust(10**9) }}", "terlalu besar"),
        ("{% for i in range(10**9) %}{% endfor %}", "terlalu besar"),
        ("{% for i in range(200000, 0, -1) %}{% endfor %}", "range()"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}{% endfor %}", "batas waktu render"),
        ("{{ ('a' * 10**6).replace('a', 'aa') }}", "terlalu besar"),
        ("{{ ('a' * 10**6)|replace('a', 'aa') }}", "terlalu besar"),
        ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "rekursi"),
    ],
)
def test_template_operations_are_bounded(tag, said, monkeypatch, tmp_path, sample_path):
    monkeypatch.setattr(templating, "RENDER_SECONDS", 1.0)
    template = edited_template(tmp_path, PLACE, tag)
    (result,) = build([sample_path], tmp_path / "out", template, jobs=1)
    assert not result.ok and said in result.reason, result.reason
    assert not list((tmp_path / "out").rglob("*.docx"))


def test_a_loop_without_checkpoints_is_stopped_by_the_task_time_limit(monkeypatch, tmp_path, sample_path):
    monkeypatch.setattr(workers, "TASK_SECONDS", 3.0)
    loop = "{% for a in 'x' * 5000 %}{% for b in 'x' * 5000 %}{% for c in 'x' * 5000 %}{% endfor %}{% endfor %}{% endfor %}"
    template = edited_template(tmp_path, PLACE, loop)
    ok = tmp_path / "ok" / "2023.yaml"
    ok.parent.mkdir()
    shutil.copyfile(sample_path, ok)
    results = build([sample_path], tmp_path / "out", template, jobs=1)
    assert "batas waktu 3 detik" in results[0].reason


def test_memory_is_bounded_per_worker(monkeypatch, tmp_path, sample_path):
    monkeypatch.setattr(workers, "MEMORY_BYTES", 400 * 2**20)
    template = edited_template(tmp_path, PLACE, "{{ (['x' * 1000000] * 1000)|join }}")  # 1 GB
    (result,) = build([sample_path], tmp_path / "out", template, jobs=1)
    assert not result.ok and "memori" in result.reason, result.reason


def test_a_zip_bomb_template_is_refused_before_unpacking(tmp_path, sample_path):
    bomb = tmp_path / "bom.docx"
    shutil.copyfile(default_template(), bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as z, z.open("word/media/bom.bin", "w") as f:
        chunk = bytes(2**20)
        for _ in range(templating.MAX_TEMPLATE_BYTES // 2**20 + 1):
            f.write(chunk)
    assert bomb.stat().st_size < 2 * 2**20
    report, _ = prepare(sample_path)
    with pytest.raises(TemplateError):
        render_docx(report, tmp_path / "r.docx", bomb)
    assert not (tmp_path / "r.docx").exists()


def _with_parts(tmp_path: Path, edit, moved: dict[str, str] | None = None, extra: dict[str, str] | None = None) -> Path:
    """The default template with ``edit(name, text) -> text`` applied to its XML parts, the
    entries named in ``moved`` renamed (old → new name) and ``extra`` (name → text) added."""
    path = tmp_path / "templat-luar.docx"
    with zipfile.ZipFile(default_template()) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith((".xml", ".rels")):
                data = edit(info.filename, data.decode("utf-8")).encode("utf-8")
            if moved and info.filename in moved:
                info = zipfile.ZipInfo(moved[info.filename], info.date_time)
            dst.writestr(info, data)
        for name, text in (extra or {}).items():
            dst.writestr(name, text)
    return path


def _add_rel(name, text, target, kind="image"):
    if name != "word/_rels/document.xml.rels":
        return text
    rel = (
        f'<Relationship Id="rIdLuar" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/{kind}" Target="{target}" TargetMode="External"/>'
    )
    return text.replace("</Relationships>", rel + "</Relationships>")


def _add_field(name, text):
    if name != "word/document.xml":
        return text
    field = (
        '<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;/etc/hostname&quot; ">'
        "<w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>"
    )
    return text.replace("<w:sectPr", field + "<w:sectPr", 1)


@pytest.mark.parametrize(
    "edit, said",
    [
        (lambda n, t: _add_rel(n, t, "file:///etc/hostname"), "file:///etc/hostname"),
        (lambda n, t: _add_rel(n, t, "file:///etc/passwd", "oleObject"), "oleObject"),
        (_add_field, "INCLUDETEXT"),
    ],
)
def test_a_template_linking_outside_itself_is_refused(edit, said, tmp_path, sample_path, capsys):
    template = _with_parts(tmp_path, edit)
    assert main(["build", str(sample_path), "--out", str(tmp_path / "out"), "--template", str(template)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert "tautan" in line and said in line, line
    assert not list((tmp_path / "out").rglob("*.docx"))
    report, _ = prepare(sample_path)  # and rendering alone refuses it too
    with pytest.raises(TemplateError, match=re.escape(said)):
        render_docx(report, tmp_path / "r.docx", template)
    assert not (tmp_path / "r.docx").exists()


def test_a_fetching_field_composed_from_the_input_is_caught_in_the_result(monkeypatch, tmp_path, sample_path):
    def edit(name, text):
        if name != "word/document.xml":
            return text
        field = (
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
            '{{ place }}</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
        return text.replace("<w:sectPr", field + "<w:sectPr", 1)

    template = _with_parts(tmp_path, edit)
    templating.check_references(template)  # the template alone links to nothing
    real = report_docx.build_context
    monkeypatch.setattr(
        report_docx,
        "build_context",
        lambda report, place: {**real(report, place), "place": ' INCLUDETEXT "/etc/hostname" '},
    )
    report, _ = prepare(sample_path)
    with pytest.raises(TemplateError, match="INCLUDETEXT"):
        render_docx(report, tmp_path / "r.docx", template)
    assert not (tmp_path / "r.docx").exists()


def test_web_links_are_kept_and_an_attached_template_note_is_dropped(tmp_path, sample_path):
    template = _with_parts(tmp_path, lambda n, t: _add_rel(n, t, "https://kpu.go.id", "hyperlink"))
    doc = Document(str(template))
    settings = doc.part._settings_part
    settings.rels.add_relationship(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate",
        "file:///C:/Users/x/Normal.dotm",
        "rIdT",
        is_external=True,
    )
    doc.save(str(template))
    assert any("attachedTemplate" in f for f in templating.external_references(template))
    report, _ = prepare(sample_path)
    render_docx(report, tmp_path / "r.docx", template)
    assert templating.external_references(tmp_path / "r.docx") == []
    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        assert 'Target="https://kpu.go.id" TargetMode="External"' in z.read("word/_rels/document.xml.rels").decode()
        assert not any("attachedTemplate" in z.read(n).decode() for n in z.namelist() if "settings" in n)


def test_a_template_is_checked_once_per_content_and_again_once_edited(monkeypatch, tmp_path, sample_path):
    calls = []
    real = templating.external_references
    monkeypatch.setattr(
        templating, "external_references", lambda t, data=None, trees=None: calls.append(t) or real(t, data, trees)
    )
    template = _with_parts(tmp_path, lambda n, t: t.replace("DAFTAR ISI", "DAFTAR  ISI"))
    report, _ = prepare(sample_path)
    render_docx(report, tmp_path / "a.docx", template)
    render_docx(report, tmp_path / "b.docx", template)
    assert calls == [template]  # the second report reuses the first check
    assert _with_parts(tmp_path, _add_field) == template  # the same path, new content
    with pytest.raises(TemplateError, match="INCLUDETEXT"):
        render_docx(report, tmp_path / "c.docx", template)
    with pytest.raises(TemplateError, match="INCLUDETEXT"):  # a refused template is never remembered
        render_docx(report, tmp_path / "c.docx", template)
    assert calls == [template] * 3
    assert not (tmp_path / "c.docx").exists()


def test_a_loaded_template_is_scanned_as_its_file_would_be(tmp_path):
    """The check at rendering reads the parts python-docx parsed from its trees: the same
    findings as reading the file, including a part python-docx never loads."""

    def edit(name, text):
        text = _add_field(name, _add_rel(name, text, "file:///C:/rahasia/gambar.png"))
        if name == "word/styles.xml":  # a field where nothing would show it, still refused
            text = text.replace("</w:styles>", '<w:fldSimple w:instr="DDEAUTO x"/></w:styles>')
        return text

    template = _with_parts(tmp_path, edit)
    with zipfile.ZipFile(template, "a") as z:  # a part no relationship reaches
        z.writestr("word/yatim.xml", '<w:p xmlns:w="urn:w"><w:fldSimple w:instr="INCLUDEPICTURE y"/></w:p>')
    data = template.read_bytes()
    doc = DocxTemplate(io.BytesIO(data))
    doc.init_docx()
    from docx.opc.part import XmlPart

    trees = {p.partname.membername: p.element for p in doc.docx.part.package.parts if isinstance(p, XmlPart)}
    assert "word/styles.xml" in trees and "word/yatim.xml" not in trees
    found = templating.external_references(template, data, trees)
    assert found == templating.external_references(template)
    assert len(found) == 4 and any("DDEAUTO" in f for f in found) and any("yatim" in f for f in found)
    with pytest.raises(TemplateError, match="INCLUDEPICTURE|INCLUDETEXT|DDEAUTO|tautan"):
        templating.check_loaded_template(template, data, doc.docx)
    assert not templating.is_checked(data)


def test_the_report_is_scanned_in_memory_as_its_file_would_be(tmp_path):
    template = _with_parts(tmp_path, lambda n, t: _add_field(n, _add_rel(n, t, "file:///C:/rahasia/gambar.png")))
    doc = Document(str(template))
    doc.part.rels.add_relationship(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk",
        "file:///sisipan.htm",
        "rIdChunk",
        True,
    )
    doc.save(str(tmp_path / "saved.docx"))
    found = templating.document_references(doc)
    assert found == templating.external_references(tmp_path / "saved.docx")
    assert [f.split(": ", 1)[1].split(" ", 2)[:2] for f in found] == [
        ["kolom", "(field)"],
        ["tautan", "image"],
        ["potongan", "dokumen"],
        ["tautan", "aFChunk"],
    ]


def test_a_truncated_render_is_never_a_success(monkeypatch, tmp_path, sample_path):
    real = report_docx.build_context

    def huge(report, place):
        context = real(report, place)
        context["foreword"] = ["x" * 11_000_000, "PARAGRAF TERAKHIR"]
        return context

    monkeypatch.setattr(report_docx, "build_context", huge)
    report, _ = prepare(sample_path)
    with pytest.raises(TemplateError):
        render_docx(report, tmp_path / "r.docx")
    assert not (tmp_path / "r.docx").exists()


# --- pictures named in an input ----------------------------------------------------------------------


def _logo_line(path: Path) -> int:
    return next(
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip().startswith("logo:")
    )


def _with_logo(make_input, name):
    def mutate(d):
        d["satker"]["logo"] = name

    return make_input(mutate)


@pytest.mark.parametrize(
    "setup, said",
    [
        (lambda folder, outside: str(outside), "di luar folder"),
        (lambda folder, outside: "../" + outside.name, "di luar folder"),
        (lambda folder, outside: os.symlink(outside, folder / "logo.png") or "logo.png", "di luar folder"),
        (lambda folder, outside: (folder / "logo.bmp").write_text("BM bukan gambar\n") and "logo.bmp", "bukan gambar"),
        (
            lambda folder, outside: (folder / "besar.png").write_bytes(b"\x89PNG" + bytes(6 * 2**20)) and "besar.png",
            "terlalu besar",
        ),
    ],
)
def test_pictures_must_be_real_modest_and_inside_the_inputs_folder(setup, said, make_input, tmp_path, capsys):
    folder = tmp_path / "inputs" / "kantor"
    folder.mkdir(parents=True)
    outside = _png(tmp_path / "inputs" / "rahasia.png")
    path = _with_logo(make_input, setup(folder, outside))

    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "satker.logo" in line)
    assert line.startswith(f"{path}:{_logo_line(path)}: GALAT satker.logo:") and said in line

    assert main(["build", str(path), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "kesalahan tak terduga" not in err and said in err
    assert not list((tmp_path / "out").rglob("*.docx"))


def test_a_real_picture_inside_the_folder_is_placed(make_input, tmp_path):
    _png(tmp_path / "inputs" / "kantor" / "gambar" / "logo.png", (30, 10))
    path = _with_logo(make_input, "gambar/logo.png")
    (result,) = build([path], tmp_path / "out", jobs=1)
    assert result.ok, result.reason
    with zipfile.ZipFile(next(result.destination.glob("*.docx"))) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert [Image.open(io.BytesIO(z.read(n))).size for n in media] == [(30, 10)]


# --- terminal escapes --------------------------------------------------------------------------------------


def test_control_characters_are_escaped_in_everything_printed(make_input, tmp_path, capsys):
    evil = "KPU \x1b[2J\x1b]0;judul\x07Kota\rPalsu \u202eTXT"

    def mutate(d):
        d["satker"]["wilayah"] = evil
        d["satker"]["logo"] = "\x1b[31mmerah.png"

    written = make_input(mutate)
    path = tmp_path / "\x1b[31mmerah" / "2023.yaml"  # a folder name is printed too
    path.parent.mkdir()
    written.rename(path)
    main(["validate", str(path)])
    main(["build", str(path), "--out", str(tmp_path / "out"), "-q"])
    printed = "".join(capsys.readouterr())
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", printed)
    assert "\\u001b[31mmerah" in printed and "satker.logo" in printed


# --- publishing ----------------------------------------------------------------------------------------


def _staged(tmp_path: Path, tag: str) -> list[Path]:
    folder = tmp_path / f"stage-{tag}-{len(list(tmp_path.glob('stage-*')))}"
    folder.mkdir()
    files = [folder / "laporan-tahunan-2023-x.docx", folder / "lampiran-2023-x.xlsx"]
    for f in files:
        f.write_text(f"{tag}:{f.suffix}")
    return files


def _contents(destination: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(destination.iterdir())}


def test_a_build_killed_while_publishing_leaves_old_or_new_never_a_mix(monkeypatch, tmp_path):
    destination = tmp_path / "out" / "kantor" / "2023"
    outputs.publish(_staged(tmp_path, "lama"), destination)

    def killed(a, b):
        raise KeyboardInterrupt  # the process dies between assembling and swapping

    monkeypatch.setattr(outputs, "_swap", killed)
    with pytest.raises(KeyboardInterrupt):
        outputs.publish(_staged(tmp_path, "baru"), destination)
    assert set(_contents(destination).values()) == {"lama:.docx", "lama:.xlsx"}

    # the system without an atomic exchange: killed between the two renames
    monkeypatch.undo()
    monkeypatch.setattr(outputs, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def dies_second_time(a, b):
        if ".ready-" in str(a) and Path(b) == destination:  # destination → old done, then the kill
            raise KeyboardInterrupt
        real_rename(a, b)

    monkeypatch.setattr(outputs.os, "rename", dies_second_time)
    with pytest.raises(KeyboardInterrupt):
        outputs.publish(_staged(tmp_path, "baru"), destination)
    monkeypatch.setattr(outputs.os, "rename", real_rename)
    assert not destination.exists()  # neither old nor new in place, but never a mix
    outputs.publish(_staged(tmp_path, "lagi"), destination)  # the next build recovers first
    assert set(_contents(destination).values()) == {"lagi:.docx", "lagi:.xlsx"}
    assert [p.name for p in destination.parent.iterdir() if not p.name.endswith(".lock")] == ["2023"]


def test_builds_publishing_to_one_folder_take_turns(tmp_path):
    destination = tmp_path / "out" / "kantor" / "2023"
    outputs.publish(_staged(tmp_path, "lama"), destination)
    lock = outputs._lock(destination)
    lock.acquire()
    done = threading.Event()
    worker = threading.Thread(target=lambda: (outputs.publish(_staged(tmp_path, "baru"), destination), done.set()))
    worker.start()
    try:
        assert not done.wait(0.5)  # waits for the other build
        assert set(_contents(destination).values()) == {"lama:.docx", "lama:.xlsx"}
    finally:
        lock.release()
    worker.join(10)
    assert done.is_set() and set(_contents(destination).values()) == {"baru:.docx", "baru:.xlsx"}


def test_a_build_of_an_earlier_version_holding_filelock_s_lock_is_waited_for(monkeypatch, tmp_path):
    from filelock import FileLock

    destination = tmp_path / "out" / "kantor" / "2023"
    outputs.publish(_staged(tmp_path, "lama"), destination)
    held = FileLock(str(destination.parent / f".{destination.name}.lock"))
    held.acquire()
    monkeypatch.setattr(outputs, "LOCK_SECONDS", 0.3)
    try:
        with pytest.raises(OutputError, match="build lain sedang menulis"):
            outputs.publish(_staged(tmp_path, "baru"), destination)
    finally:
        held.release()
    assert set(_contents(destination).values()) == {"lama:.docx", "lama:.xlsx"}
    outputs.publish(_staged(tmp_path, "baru"), destination)
    assert set(_contents(destination).values()) == {"baru:.docx", "baru:.xlsx"}


def test_builds_in_two_processes_take_turns(tmp_path):
    """The lock is flock on a file: held by another process, a publish waits, then gives up."""
    destination = tmp_path / "out" / "kantor" / "2023"
    outputs.publish(_staged(tmp_path, "lama"), destination)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kpu_docs.publish import outputs\n"
            "lock = outputs._lock(Path(sys.argv[1])); lock.acquire(); print('held', flush=True); sys.stdin.read()",
            str(destination),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        lock = outputs._FolderLock(destination.parent / f".{destination.name}.lock", 0.3)
        with pytest.raises(TimeoutError):
            lock.acquire()
    finally:
        holder.communicate("")
    with outputs._lock(destination):  # free once the other process is gone
        pass


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.EOPNOTSUPP])
def test_a_folder_that_cannot_be_locked_fails_in_one_indonesian_line(code, monkeypatch, make_input, tmp_path):
    import fcntl

    def no_locks(fd, operation):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    (result,) = build([make_input()], tmp_path / "out", jobs=1)
    assert result.status == "gagal"
    assert ".2023.lock: " in result.reason and "pilih folder lokal" in result.reason, result.reason
    assert os.strerror(code) not in result.reason


def test_an_earlier_pdf_is_dropped_when_the_report_changes_and_other_files_kept(tmp_path):
    destination = tmp_path / "out" / "kantor" / "2023"
    first = _staged(tmp_path, "lama")
    pdf = first[0].with_suffix(".pdf")
    pdf.write_text("lama:.pdf")
    outputs.publish([*first, pdf], destination)
    (destination / "catatan.txt").write_text("milik pengguna")
    owned = {"laporan-tahunan-2023-x.docx", "laporan-tahunan-2023-x.pdf", "lampiran-2023-x.xlsx"}
    outputs.publish(_staged(tmp_path, "baru"), destination, owned)
    assert _contents(destination) == {
        "catatan.txt": "milik pengguna",
        "lampiran-2023-x.xlsx": "baru:.xlsx",
        "laporan-tahunan-2023-x.docx": "baru:.docx",
    }


def test_stale_staging_folders_of_killed_builds_are_removed(tmp_path, sample_path):
    out = tmp_path / "out"
    stale = out / ".kpu-docs-99999999-abc"  # no such process
    (stale / "00000").mkdir(parents=True)
    mine = out / f".kpu-docs-{os.getpid()}-def"  # a build still running
    mine.mkdir()
    (result,) = build([sample_path], out, jobs=1)
    assert result.ok
    assert not stale.exists() and mine.exists()


def test_one_input_that_cannot_be_published_fails_alone(make_input, tmp_path, sample_path):
    other = make_input(lambda d: d["satker"].update(wilayah="Lain"))
    out = tmp_path / "out"
    blocker = out / "kpu-kota-serang" / "2023" / "laporan-tahunan-2023-kpu-kota-serang.docx"
    (blocker / "isi").mkdir(parents=True)

    results = build([sample_path, other], out, jobs=2)

    assert not results[0].ok and "dipakai oleh folder" in results[0].reason
    assert (blocker / "isi").is_dir()  # the folder in the way is left alone
    assert results[1].ok and sorted(p.name.split("-")[0] for p in results[1].destination.iterdir()) == [
        "lampiran",
        "laporan",
        "pemeriksaan",
    ]


def test_a_read_only_destination_fails_alone(monkeypatch, make_input, tmp_path, sample_path):
    other = make_input(lambda d: d["satker"].update(wilayah="Lain"))
    real = shutil.move

    def read_only(src, dst, *args, **kwargs):
        if "kpu-kota-serang" in str(dst):
            raise OSError(errno.EROFS, "Read-only file system", str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(outputs.shutil, "move", read_only)
    results = build([sample_path, other], tmp_path / "out", jobs=1)
    assert not results[0].ok and "hanya-baca" in results[0].reason and "kpu-kota-serang" in results[0].reason
    assert not (tmp_path / "out" / "kpu-kota-serang" / "2023").exists()
    assert results[1].ok


def test_a_worker_killed_by_the_oom_killer_fails_its_input_only(monkeypatch, make_input, tmp_path, sample_path):
    other = make_input(lambda d: d["satker"].update(wilayah="Lain"))
    real = build_mod.render_docx

    def oom(report, *args, **kwargs):
        if report.data.office.name == "KPU Kota Lain":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(report, *args, **kwargs)

    monkeypatch.setattr(build_mod, "render_docx", oom)
    results = build([other, sample_path], tmp_path / "out", jobs=2)
    assert not results[0].ok and "SIGKILL" in results[0].reason
    assert results[1].ok and results[1].destination.is_dir()


@pytest.mark.libreoffice
@pytest.mark.parametrize("one_pass", [True, False], ids=["uno", "two-passes"])
def test_with_pdf_a_report_libreoffice_fails_on_fails_alone(monkeypatch, make_input, tmp_path, sample_path, one_pass):
    from kpu_docs.publish import pdf as pdf_mod

    if pdf_mod.soffice() is None or (one_pass and pdf_mod.uno_python() is None):
        pytest.skip("LibreOffice (and for one pass, its UNO bridge) is needed")
    other = make_input(lambda d: d["satker"].update(wilayah="Rusak"))
    if one_pass:
        real = pdf_mod.convert_numbered

        def numbered(files, outdir):
            good = iter(real([f for f in files if "rusak" not in f.name], outdir))
            for f in files:
                yield (
                    pdf_mod.Numbered(outdir / f"{f.stem}.pdf", [], error="berkas rusak")
                    if "rusak" in f.name
                    else next(good)
                )

        monkeypatch.setattr(pdf_mod, "convert_numbered", numbered)
    else:
        real = pdf_mod.convert

        def convert(files, outdir, target="pdf"):
            if any("rusak" in f.name for f in files):
                raise KpuDocsError("LibreOffice gagal membuat berkas")
            return real(files, outdir, target)

        monkeypatch.setattr(pdf_mod, "uno_python", lambda: None)
        monkeypatch.setattr(pdf_mod, "convert", convert)
    results = build([sample_path, other], tmp_path / "out", pdf=True, jobs=2)
    assert results[0].ok and sorted(p.suffix for p in results[0].destination.iterdir()) == [
        ".docx",
        ".pdf",
        ".xlsx",
        ".xlsx",
    ]
    assert not results[1].ok and "PDF" in results[1].reason
    assert not (tmp_path / "out" / "kpu-kota-rusak").exists()


@pytest.mark.parametrize(
    "sig, code, said",
    [
        (signal.SIGTERM, 143, "dihentikan (SIGTERM)"),
        (signal.SIGINT, 130, "dihentikan (Ctrl-C)"),  # sent to the whole process group, as a terminal does
        (signal.SIGKILL, -9, ""),  # no cleanup possible: the workers die with it, the next build cleans up
    ],
)
def test_sigterm_or_ctrl_c_stops_the_workers_and_cleans_up(sig, code, said, tmp_path, sample_path):
    inputs = tmp_path / "inputs"
    for i in range(4):
        (inputs / f"k{i}").mkdir(parents=True)
        text = sample_path.read_text(encoding="utf-8").replace("wilayah: Serang", f"wilayah: Serang {i}")
        (inputs / f"k{i}" / "2023.yaml").write_text(text, encoding="utf-8")
    slow = edited_template(
        tmp_path,
        PLACE,
        "{% for i in range(99999) %}{% for j in range(60) %}{% endfor %}{% endfor %}"
        "{% for i in range(99999) %}{% for j in range(60) %}{% endfor %}{% endfor %}",
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kpu_docs",
            "build",
            str(inputs),
            "--out",
            str(out),
            "-j",
            "2",
            "-q",
            "--template",
            str(slow),
        ],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    children = []
    for _ in range(100):  # wait for the workers
        time.sleep(0.1)
        children = _children(proc.pid)
        if len(children) >= 2:
            break
    assert len(children) >= 2
    time.sleep(0.5)  # past the workers' start-up: they are rendering now
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code and said in err and "Traceback" not in err, err
    time.sleep(0.3)
    assert [c for c in children if Path(f"/proc/{c}").exists() and _state(c) != "Z"] == []
    assert not list(out.rglob("*.docx"))
    if sig == signal.SIGKILL:
        assert list(out.glob(".kpu-docs-*"))  # left behind by the killed build
        outputs.remove_stale_staging(out)
    assert not list(out.glob(".kpu-docs-*"))


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


# --- every error one located Indonesian line ------------------------------------------------------------


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_disk_full_is_one_line_naming_the_file(monkeypatch, tmp_path, sample_path, capsys):
    def full(report, path, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(build_mod, "write_annex", full)
    assert main(["build", str(sample_path), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    line = err.splitlines()[-1]  # after the input's findings
    assert "Traceback" not in err and line.startswith(f"{sample_path}: gagal: ")
    assert "ruang disk penuh" in line and "lampiran-2023-kpu-kota-serang.xlsx" in line
    assert not list((tmp_path / "out").rglob("*.docx"))


def test_new_with_an_impossible_year(tmp_path, sample_path, capsys):
    assert main(["new", str(sample_path), "--year", "10000", "--out", str(tmp_path / "x.yaml")]) == 1
    line = _one_line(capsys.readouterr().err)
    assert "--year 10000" in line and "antara 2000 dan 2100" in line and "tak terduga" not in line
    assert not (tmp_path / "x.yaml").exists()


def test_out_naming_a_file(tmp_path, sample_path, capsys):
    target = tmp_path / "berkas.txt"
    target.write_text("milik pengguna")
    assert main(["build", str(sample_path), "--out", str(target)]) == 1
    assert "bukan folder" in _one_line(capsys.readouterr().err)
    assert target.read_text() == "milik pengguna"


def test_an_unwritable_backup_is_one_line(tmp_path, capsys, monkeypatch):
    from kpu_docs.input import atomic

    from .test_sakti_import import SAMPLE, revised, table, write_xlsx

    work = tmp_path / "kantor" / "2023.yaml"
    work.parent.mkdir()
    shutil.copyfile(SAMPLE, work)
    (work.parent / "2023.yaml.bak" / "isi").mkdir(parents=True)  # a name taken: the next one is used
    real_open = os.open

    def full_disk(name, *args, **kwargs):
        if ".bak." in str(name):
            raise OSError(errno.ENOSPC, "No space left on device", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "open", full_disk)
    before = work.read_bytes()
    export = write_xlsx(tmp_path / "realisasi.xlsx", table(revised()))
    assert main(["import", str(export), "--into", str(work)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert "2023.yaml.bak.1" in line and "penuh" in line
    assert work.read_bytes() == before
    assert not list(work.parent.glob(".*.tmp"))


def test_a_picture_tag_in_a_footer_shows_the_picture_there(tmp_path, sample_path):
    doc = Document(str(default_template()))
    doc.sections[-1].footer.add_paragraph("{{ logo }}")
    template = tmp_path / "kaki.docx"
    doc.save(str(template))
    report, _ = prepare(sample_path)
    render_docx(report, tmp_path / "r.docx", template)
    with zipfile.ZipFile(tmp_path / "r.docx") as z:
        embeds = {
            (n, rid)
            for n in z.namelist()
            if re.fullmatch(r"word/footer\d+\.xml", n)
            for rid in re.findall(r'r:embed="([^"]+)"', z.read(n).decode())
        }
        assert len(embeds) == 1
        ((name, rid),) = embeds
        rels = z.read(name.replace("word/", "word/_rels/") + ".rels").decode()
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
        assert Image.open(io.BytesIO(z.read("word/" + target))).format == "PNG"


def test_usage_errors_are_one_indonesian_line(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["new", "x.yaml", "--year", "abc"])
    assert exc.value.code == 2
    assert "argumen --year: bukan bilangan bulat: 'abc'" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["build"],
        ["validate"],
        ["diff"],
        ["new"],
        ["import"],
        ["import-report"],
        ["audit"],
        ["serve"],
        ["schema"],
        ["template"],
        ["template", "export"],
        ["template", "check"],
    ],
)
def test_help_is_in_indonesian(command, capsys):
    """Every command's --help: argparse's headings in Indonesian, every argument explained."""
    with pytest.raises(SystemExit) as exc:
        main([*command, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"pemakaian: kpu-docs {' '.join(command)}".rstrip() + " ")
    assert "\npilihan:\n" in text and "tampilkan bantuan ini, lalu keluar" in text
    for english in ("usage:", "positional arguments", "options:", "show this help", "directory", " OUT", " JOBS"):
        assert english not in text, english
    arguments = text.split("\nargumen:\n")[1].split("\n\n")[0].splitlines() if "\nargumen:\n" in text else []
    for line in arguments:  # each positional argument has its explanation beside or below it
        if line.startswith("  ") and not line.startswith("   ") and line.split()[0] not in ("PERINTAH", "AKSI"):
            name = line.split()[0]
            following = arguments[arguments.index(line) + 1] if arguments.index(line) + 1 < len(arguments) else ""
            assert len(line.split()) > 1 or following.startswith("      "), f"{name} has no explanation"


def test_a_command_group_without_its_action_shows_its_own_help(capsys):
    assert main(["template"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("pemakaian: kpu-docs template ")
    assert "export" in out and "check" in out


def test_an_imported_chunk_is_refused(tmp_path):
    def edit(name, text):
        if name != "word/_rels/document.xml.rels":
            return text
        rel = (
            '<Relationship Id="rIdChunk" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/aFChunk" Target="chunk.html"/>'
        )
        return text.replace("</Relationships>", rel + "</Relationships>")

    with pytest.raises(TemplateError, match="altChunk"):
        templating.check_references(_with_parts(tmp_path, edit))


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_INCLUDE = (
    '<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;/etc/hostname&quot; "><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>'
)


def _chunk_of_another_type(name, text):
    """``w:altChunk`` pointing at an HTML part through a relationship that is not aFChunk."""
    if name == "word/_rels/document.xml.rels":
        rel = f'<Relationship Id="rIdC" Type="{_REL}customXml" Target="sisipan.html"/>'
        return text.replace("</Relationships>", rel + "</Relationships>")
    if name == "word/document.xml":
        return text.replace("<w:sectPr", '<w:altChunk r:id="rIdC"/><w:sectPr', 1)
    if name == "[Content_Types].xml":
        return text.replace("</Types>", '<Default Extension="html" ContentType="text/html"/></Types>')
    return text


def _main_part_elsewhere(name, text):
    """The main document at ``doc/document.xml`` (any name will do for Word), with a field."""
    if name == "_rels/.rels":
        return text.replace("word/document.xml", "doc/document.xml")
    if name == "[Content_Types].xml":
        return text.replace("/word/document.xml", "/doc/document.xml")
    if name == "word/document.xml":
        return text.replace("<w:sectPr", _INCLUDE + "<w:sectPr", 1)
    if name == "word/_rels/document.xml.rels":
        return text.replace('Target="', 'Target="../word/')
    return text


def _footnotes_with_entities(name, text):
    """A footnotes part (kept as bytes by python-docx) whose field code is spelled by a DTD's entity."""
    if name == "word/_rels/document.xml.rels":
        rel = f'<Relationship Id="rIdF" Type="{_REL}footnotes" Target="footnotes.xml"/>'
        return text.replace("</Relationships>", rel + "</Relationships>")
    if name == "[Content_Types].xml":
        kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
        return text.replace("</Types>", f'<Override PartName="/word/footnotes.xml" ContentType="{kind}"/></Types>')
    return text


_FOOTNOTES = (
    '<?xml version="1.0"?><!DOCTYPE w:footnotes [<!ENTITY a "UDETEXT &quot;/etc/hostname&quot;">]>'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1">'
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>INCL&a;</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:footnote></w:footnotes>'
)


@pytest.mark.parametrize(
    "edit, extra, moved, said",
    [
        (_chunk_of_another_type, {"word/sisipan.html": "<img src='file:///etc/hostname'>"}, {}, "altChunk"),
        (
            _main_part_elsewhere,
            {},
            {"word/document.xml": "doc/document.xml", "word/_rels/document.xml.rels": "doc/_rels/document.xml.rels"},
            "doc/document.xml: kolom (field) INCLUDETEXT",
        ),
        (_footnotes_with_entities, {"word/footnotes.xml": _FOOTNOTES}, {}, "word/footnotes.xml: deklarasi DTD"),
    ],
)
def test_a_link_hidden_where_the_scan_did_not_look_is_refused(edit, extra, moved, said, tmp_path, sample_path):
    """Each of these passed both scans and reached the built report: an altChunk whose
    relationship is of another type, a main document outside ``word/``, and a field code
    written with a DTD's entity (the scan reads the text without expanding it)."""
    template = _with_parts(tmp_path, edit, moved, extra)
    with pytest.raises(TemplateError, match=re.escape(said)):
        templating.check_references(template)
    assert any(said in f for f in templating.document_references(Document(str(template))))  # the report's own scan
    report, _ = prepare(sample_path)
    with pytest.raises(TemplateError, match=re.escape(said)):
        render_docx(report, tmp_path / "r.docx", template)
    assert not (tmp_path / "r.docx").exists()


def test_template_check_refuses_a_template_linking_outside_itself(tmp_path, capsys):
    template = _with_parts(tmp_path, lambda n, t: _add_rel(n, t, "file:///etc/hostname"))
    assert main(["template", "check", str(template)]) == 1
    assert "file:///etc/hostname" in _one_line(capsys.readouterr().err)


def test_a_destination_on_another_file_system_is_published(tmp_path, sample_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system to publish to")
    elsewhere = Path(__import__("tempfile").mkdtemp(dir=shm))
    try:
        office = tmp_path / "out" / "kpu-kota-serang"
        office.mkdir(parents=True)
        (office / "2023").symlink_to(elsewhere)  # the office keeps this year's files on another disk
        (result,) = build([sample_path], tmp_path / "out", jobs=1)
        assert result.ok, result.reason
        assert sorted(p.suffix for p in elsewhere.iterdir()) == [".docx", ".xlsx", ".xlsx"]
        assert "LAPORAN TAHUNAN" in "".join(p.text for p in Document(str(next(elsewhere.glob("*.docx")))).paragraphs)
    finally:
        shutil.rmtree(elsewhere, ignore_errors=True)
        (shm / f".{elsewhere.name}.lock").unlink(missing_ok=True)


def _split_field(name, text):
    """INCLUDETEXT split across two runs, as Word itself writes long field codes."""
    if name != "word/document.xml":
        return text
    run = '<w:r><w:instrText xml:space="preserve">%s</w:instrText></w:r>'
    field = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + run % " INCL"
        + run % 'UDETEXT "/etc/hostname" '
        + '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return text.replace("<w:sectPr", field + "<w:sectPr", 1)


def _quoted_rel(name, text):
    """A linked picture's relationship written with single quotes (valid XML)."""
    if name != "word/_rels/document.xml.rels":
        return text
    rel = (
        "<Relationship Id='rIdLuar' Type='http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/image' Target='file:///etc/hostname' TargetMode='External'/>"
    )
    return text.replace("</Relationships>", rel + "</Relationships>")


def _simple_field_quoted(name, text):
    if name != "word/document.xml":
        return text
    field = (
        "<w:p><w:fldSimple w:instr=' &#73;NCLUDETEXT \"/etc/hostname\" '><w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>"
    )
    return text.replace("<w:sectPr", field + "<w:sectPr", 1)


@pytest.mark.parametrize(
    "edit, said",
    [
        (_split_field, "INCLUDETEXT"),
        (_quoted_rel, "file:///etc/hostname"),
        (_simple_field_quoted, "INCLUDETEXT"),
    ],
)
def test_a_link_written_differently_is_still_refused(edit, said, tmp_path, capsys):
    """The check reads the XML as Word does: a field code split across runs, single quotes or
    a character reference hide nothing (each passed the text match before)."""
    template = _with_parts(tmp_path, edit)
    assert main(["template", "check", str(template)]) == 1
    assert said in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "edit, said",
    [
        (lambda n, t: t.replace(PLACE, "{{ place( }}") if n == "word/document.xml" else t, "templat tidak sah"),
        (
            lambda n, t: t.replace("<w:body>", "<w:body><w:p><a:x/></w:p>", 1) if n == "word/document.xml" else t,
            "bukan templat .docx yang dapat dibaca",
        ),
    ],
)
def test_template_check_of_a_broken_template_is_one_line(edit, said, tmp_path, capsys):
    template = _with_parts(tmp_path, edit)
    assert main(["template", "check", str(template)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert said in line and "tak terduga" not in line, line


def test_no_more_workers_than_inputs(monkeypatch):
    """-j 100000 with one input forked 100,000 processes (a fork bomb); now one."""
    started = []
    real = workers._Worker.__init__

    def counting(self, *args, **kwargs):
        started.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(workers._Worker, "__init__", counting)
    assert workers.run(abs, [-1, -2], 50, lambda task, reason: None) == [1, 2]
    assert len(started) == 2
