"""``kpu-docs serve``: a local web page over a folder of inputs (Flask, server-rendered).

Safe by default: the server listens on 127.0.0.1 only and answers only requests addressed to
that host (DNS rebinding); every POST carries a CSRF token (Flask-WTF) and is refused when
another site sent it; uploads are size-limited; paths come from the ``Workspace``, never from
the browser; every error becomes a message on the page and the server goes on.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from kpu_docs import __version__
from kpu_docs.checks.diff import diff, summary
from kpu_docs.errors import InputError, KpuDocsError, format_key_path, os_error_message
from kpu_docs.figures.derive import derive
from kpu_docs.formatting import amount, percent
from kpu_docs.input.load import loads
from kpu_docs.input.next_year import start_next_year
from kpu_docs.publish import pdf as pdf_mod
from kpu_docs.publish.build import prepare
from kpu_docs.render.names import file_names, folder, slug
from kpu_docs.vocabulary import Level, walk

from . import checks, forms, yaml_edit
from .jobs import Jobs, preview_pages
from .workspace import NotFound, Workspace, digest
from .yaml_edit import apply_edits

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a SAKTI export is well under 1 MB; sakti.MAX_FILE_BYTES is 20 MB
PENDING_IMPORT_SECONDS = 30 * 60
EXPORT_SUFFIXES = (".xlsx", ".csv")


def _safe_name(name: str) -> str:
    """A browser's file name as plain text: no folders, no line breaks, bounded."""
    return re.sub(r"[^\w.\-() ]", "_", Path(name.replace("\\", "/")).name)[:80] or "ekspor"


@dataclass
class PendingImport:
    office: str
    year: str
    base: str  # digest of the input the plan was made from
    text: str
    created: float


def create_app(root: Path, out: Path | None = None) -> Flask:
    """The app over ``root`` (offices as folders, ``<year>.yaml`` inside); outputs in ``out``
    (default ``<root>/keluaran``)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # per process: a token from an earlier run is void
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        WTF_CSRF_TIME_LIMIT=None,  # valid while the server runs (it is per process anyway)
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
        TEMPLATES_AUTO_RELOAD=False,
    )
    workspace = Workspace(root, out if out is not None else Path(root) / "keluaran")
    jobs = Jobs()
    pending: dict[str, PendingImport] = {}
    pending_lock = threading.Lock()
    app.extensions["kpu_docs"] = {"workspace": workspace, "jobs": jobs}

    # -- safety ------------------------------------------------------------------------------

    @app.before_request
    def _same_host_same_site():
        host = request.host.split(":")[0]
        if host not in ("127.0.0.1", "localhost"):
            abort(400, "alamat server tidak dikenal: buka halaman ini melalui 127.0.0.1")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            origin = request.headers.get("Origin")
            if request.headers.get("Sec-Fetch-Site") == "cross-site" or (
                origin and origin.rstrip("/") != request.host_url.rstrip("/")
            ):
                abort(403, "permintaan dari situs lain ditolak")

    CSRFProtect(app)  # after the check above: a cross-site request is refused as such

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        )
        if response.mimetype in ("text/html", "application/json"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _wants_json() -> bool:
        return request.path.endswith(("/periksa", "/simpan", "/buat")) or request.path.startswith("/pekerjaan/")

    def _error(status: int, message: str):
        if _wants_json():
            return jsonify({"ok": False, "message": message}), status
        return render_template("error.html", message=message, status=status), status

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _error(400, "token keamanan halaman tidak sah atau hilang (CSRF): muat ulang halaman lalu ulangi")

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        return _error(413, f"berkas terlalu besar: paling besar {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")

    @app.errorhandler(NotFound)
    def _not_found(exc):
        return _error(404, str(exc))

    @app.errorhandler(InputError)
    def _input_error(exc):
        return _error(400, "masukan ini belum dapat dibaca: " + "; ".join(str(p) for p in exc.problems[:5]))

    @app.errorhandler(yaml_edit.EditError)
    def _edit_error(exc):
        return _error(400, str(exc))

    @app.errorhandler(KpuDocsError)
    def _kpu_error(exc):
        return _error(400, str(exc))

    @app.errorhandler(OSError)
    def _os_error(exc):  # a full disk, a read-only folder: one line, naming the file below the root
        app.logger.warning("%s", os_error_message(exc))
        return _error(500, os_error_message(exc).replace(f"{workspace.root}{os.sep}", ""))

    @app.errorhandler(HTTPException)
    def _http(exc):
        messages = {404: "halaman tidak ditemukan", 405: "cara permintaan ini tidak diterima"}
        message = exc.description if exc.code in (400, 403) else messages.get(exc.code, exc.name)
        return _error(exc.code or 500, message)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        app.logger.exception("kesalahan tak terduga")
        return _error(500, f"kesalahan tak terduga ({type(exc).__name__}: {exc}); server tetap berjalan")

    @app.context_processor
    def _globals():
        context = {"version": __version__, "root": workspace.root, "has_soffice": pdf_mod.soffice() is not None}
        args = request.view_args or {}
        if "office" in args and "year" in args and request.endpoint != "edit":
            context["name"] = _office_name(args["office"], args["year"])
        return context

    def _office_name(office: str, year: str) -> str:
        """The office's name as its input writes it (the folder name when it does not load)."""
        try:
            return prepare(workspace.input_path(office, year))[0].data.office.name
        except (KpuDocsError, InputError, OSError):
            return office

    # -- helpers ------------------------------------------------------------------------------

    def _paths(office: str, year: str) -> tuple[Path, str]:
        path = workspace.input_path(office, year)
        return path, workspace.read(office, year)

    def _outputs(report) -> tuple[Path, dict[str, str]]:
        return folder(workspace.out, report.data), file_names(report.data)

    def _status(office: str, year: int) -> dict:
        path = workspace.input_path(office, year)
        text, notices = workspace.read_with_notices(office, year)
        checked = checks.check_text(text, path, notices)
        info = {
            "year": year,
            "counts": checked.counts,
            "loads": checked.report is not None,
            "built": None,
            "name": office,
        }
        if checked.report is not None:
            info["name"] = checked.report.data.office.name
            where, names = _outputs(checked.report)
            built = workspace.last_built(where / names["docx"])
            info["built"] = built.astimezone().strftime("%d-%m-%Y %H:%M") if built else None
        return info

    # -- offices and years ----------------------------------------------------------------------

    @app.get("/")
    def index():
        offices = []
        for office in workspace.offices():
            years = [_status(office, y) for y in workspace.years(office)]
            offices.append(
                {"slug": office, "name": next((y["name"] for y in years if y["loads"]), office), "years": years}
            )
        return render_template("index.html", offices=offices, this_year=dt.date.today().year)

    @app.post("/kantor/<office>/<year>/tahun-berikutnya")
    def next_year(office: str, year: str):
        path = workspace.input_path(office, year)
        target = workspace.new_path(office, int(year) + 1)
        try:
            start_next_year(path, int(year) + 1, target)
        except InputError as exc:
            problems = "; ".join(p.message for p in exc.problems[:3])
            raise KpuDocsError(f"{office}/{year}.yaml harus dapat dibaca dulu: {problems}") from None
        note = (
            f"Masukan {int(year) + 1} dibuat dari {year}: struktur, organisasi dan metadata dibawa; "
            "angka dan narasi dikosongkan untuk diisi."
        )
        return redirect(url_for("edit", office=office, year=int(year) + 1, pesan=note))

    @app.post("/kantor-baru")
    def new_office():
        from .skeleton import skeleton

        level = request.form.get("tingkat", "")
        region = " ".join(request.form.get("wilayah", "").split())
        try:
            year = int(request.form.get("tahun", ""))
        except ValueError:
            raise KpuDocsError("tahun tidak sah: tulis empat angka, mis. 2025") from None
        if level not in ("kabupaten", "kota", "provinsi") or not region or len(region) > 80:
            raise KpuDocsError("pilih tingkat dan tulis nama wilayah (mis. Serang)")
        office = slug(f"KPU {level} {region}")
        target = workspace.new_path(office, year)
        if target.exists():
            raise KpuDocsError(f"{office}/{year}.yaml sudah ada: bukalah dari daftar kantor")
        text = skeleton(level, region, year)
        loads(text, target)  # the skeleton is schema-valid, or nothing is written
        from kpu_docs.input.next_year import _write_new

        _write_new(target, text)
        note = "Kantor baru dibuat. Isi bagian bertanda (isi …); temuan di kanan menyebut yang masih kurang."
        return redirect(url_for("edit", office=office, year=year, pesan=note))

    # -- editing --------------------------------------------------------------------------------

    @app.get("/kantor/<office>/<year>")
    def edit(office: str, year: str):
        path = workspace.input_path(office, year)
        text, notices = workspace.read_with_notices(office, year)
        checked = checks.check_text(text, path, notices)
        context = {
            "office": office,
            "year": year,
            "base": digest(text),
            "checked": checked,
            "path": path,
            "findings": checks.findings_json(checked),
            "list_url": url_for("list_item", office=office, year=year),
        }
        if checked.report is not None:
            context["sections"] = forms.sections(checked.report.data)
            context["rows"] = _tree_rows(checked.report)
            context["figures"] = checks.figures(checked.report)
            context["name"] = checked.report.data.office.name
        return render_template("edit.html", **context)

    def _tree_rows(report) -> list[dict]:
        rows = []
        for step in (step for program in report.programs for step in walk(program)):
            line = step.node
            rows.append(
                {
                    "id": format_key_path(line.key_path),
                    "parent": format_key_path(step.parents[-1].key_path) if step.parents else None,
                    "depth": len(step.parents),
                    "code": line.code,
                    "name": line.name,
                    "level": line.level.noun,
                    "leaf": not line.children,
                    "stated_pagu": "" if line.stated_pagu is None else amount(line.stated_pagu),
                    "stated_realisasi": "" if line.stated_realisasi is None else amount(line.stated_realisasi),
                    "pagu": amount(line.figures.pagu),
                    "realisasi": amount(line.figures.realisasi),
                    "sisa": amount(line.figures.sisa),
                    "persen": percent(line.figures.ratio),
                    "children": len(line.children),
                    "narrative": _narrative_field(line),
                }
            )
        return rows

    def _narrative_field(line) -> forms.Field | None:
        """An RO's narrative as a paragraphs field (BAB III narrates the RO)."""
        if line.level != Level.SUB_OUTPUT:
            return None
        path = (*line.key_path, "narasi")
        paragraphs = [
            forms.Field("paragraph", (*path, i), f"Paragraf {i + 1}", text, True)
            for i, text in enumerate(line.narrative)
        ]
        return forms.Field("paragraphs", path, f"Narasi {line.code}", children=paragraphs)

    def _json_body() -> dict:
        """The request's JSON object; anything else (a list, a number, broken JSON) is an empty one."""
        payload = request.get_json(silent=True)
        return payload if isinstance(payload, dict) else {}

    def _edited(office: str, year: str) -> tuple[Path, str, str, dict, bool]:
        """(path, current text, edited text, field errors, stale?) for a JSON body of edits."""
        payload = _json_body()
        values = payload.get("fields") or {}
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise KpuDocsError("isi permintaan tidak sah")
        path, text = _paths(office, year)
        edits, errors = forms.parse(values)
        try:
            edited = apply_edits(text, edits)
        except yaml_edit.EditError as exc:
            errors["_"] = str(exc)
            edited = text
        return path, text, edited, errors, payload.get("base") != digest(text)

    @app.post("/kantor/<office>/<year>/periksa")
    def live_check(office: str, year: str):
        started = time.perf_counter()
        path, _, edited, errors, stale = _edited(office, year)
        checked = checks.check_text(edited, path)
        body = {
            "ok": True,
            "stale": stale,
            "errors": errors,
            "findings": checks.findings_json(checked),
            "counts": checked.counts,
            "loads": checked.report is not None,
        }
        if checked.report is not None:
            body["figures"] = checks.figures(checked.report)
        body["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return jsonify(body)

    @app.post("/kantor/<office>/<year>/daftar")
    def list_item(office: str, year: str):
        """Add an item at the end of a list of groups (a subbagian, a staff group), or remove one."""
        path, text = _paths(office, year)
        if request.form.get("base") != digest(text):
            raise KpuDocsError("berkas ini diubah sejak halaman dibuka; muat ulang halaman lalu ulangi")
        where = forms.parse_path(request.form.get("path", ""))
        action = request.form.get("aksi")
        if where is None:
            raise KpuDocsError("daftar tidak dikenal")
        if action == "tambah":
            model = forms.list_item_model(where)
            item = forms.placeholder(model) if model else {}
            if not item:
                raise KpuDocsError("butir baru tidak dapat ditambahkan di sini dari halaman")
            edited = yaml_edit.append_item(text, where, item)
            note = "Butir baru ditambahkan; isilah bagian bertanda (isi …)."
        elif action == "hapus" and isinstance(where[-1], int) and forms.list_item_model(where[:-1]):
            edited, note = yaml_edit.remove_item(text, where), "Butir dihapus."
        else:
            raise KpuDocsError("aksi tidak dikenal")
        checked = checks.check_text(edited, path)
        if checked.report is None:
            raise KpuDocsError(
                "perubahan ini membuat berkas tidak dapat dibaca; tidak disimpan: "
                + "; ".join(str(p) for p in checked.problems[:3])
            )
        version = workspace.save(office, year, edited, digest(text))
        if version:
            note += f" Versi sebelumnya disimpan ({_when(version.id)})."
        section = request.form.get("bagian", "")
        section = section if section in ("identitas", "narasi", "organisasi", "anggaran") else "organisasi"
        return redirect(url_for("edit", office=office, year=year, pesan=note) + "#" + section)

    @app.post("/kantor/<office>/<year>/simpan")
    def save(office: str, year: str):
        path, text, edited, errors, stale = _edited(office, year)
        if errors:
            return jsonify(
                {"ok": False, "errors": errors, "message": "Belum disimpan: perbaiki isian yang ditandai merah."}
            ), 400
        checked = checks.check_text(edited, path)
        if checked.report is None:
            return jsonify(
                {
                    "ok": False,
                    "findings": checks.findings_json(checked),
                    "message": "Belum disimpan: dengan perubahan ini berkas tidak dapat dibaca (lihat temuan).",
                }
            ), 400
        payload = _json_body()
        version = workspace.save(office, year, edited, str(payload.get("base", "")))
        if version is None:
            return jsonify({"ok": True, "message": "Tidak ada perubahan untuk disimpan.", "base": digest(edited)})
        old = checks.check_text(text, path).report
        described = [c.describe() for c in diff(old, checked.report)] if old is not None else []
        if len(described) > 5:  # the message is a line at the top of the page
            described = [*described[:5], f"… dan {len(described) - 5} perubahan lain (lihat Versi)"]
        return jsonify(
            {
                "ok": True,
                "base": digest(edited),
                "version": version.id,
                "changes": described,
                "message": f"Tersimpan. Versi sebelumnya disimpan ({_when(version.id)}).",
            }
        )

    # -- versions -------------------------------------------------------------------------------

    def _when(version_id: str) -> str:
        stamp = dt.datetime.strptime(version_id, "%Y%m%dT%H%M%S%f").replace(tzinfo=dt.timezone.utc)
        return stamp.astimezone().strftime("%d-%m-%Y %H:%M:%S")

    def _text_of(office: str, year: str, version_id: str) -> str:
        return (
            workspace.read(office, year)
            if version_id == "sekarang"
            else workspace.version_text(office, year, version_id)
        )

    @app.get("/kantor/<office>/<year>/versi")
    def versions(office: str, year: str):
        path, text = _paths(office, year)
        listed = [{"id": "sekarang", "when": "sekarang (berkas saat ini)", "size": len(text.encode())}]
        for v in workspace.versions(office, year):
            listed.append({"id": v.id, "when": _when(v.id), "size": v.path.stat().st_size})
        compared = None
        a, b = request.args.get("a"), request.args.get("b")
        if a and b:
            reports = []
            for vid in (a, b):
                try:
                    reports.append(derive(loads(_text_of(office, year, vid), path)))
                except InputError as exc:
                    raise KpuDocsError(
                        f"versi {vid} tidak dapat dibaca, jadi tidak dapat dibandingkan: "
                        + "; ".join(str(p) for p in exc.problems[:3])
                    ) from None
            changes = diff(reports[0], reports[1])
            compared = {"a": a, "b": b, "changes": [c.describe() for c in changes], "summary": summary(changes)}
        return render_template("versions.html", office=office, year=year, versions=listed, compared=compared)

    @app.get("/kantor/<office>/<year>/versi/<version_id>")
    def version_text(office: str, year: str, version_id: str):
        text = _text_of(office, year, version_id)  # NotFound for an unknown id, before reading it as a time
        return render_template(
            "version.html",
            office=office,
            year=year,
            version_id=version_id,
            when=_when(version_id) if version_id != "sekarang" else "sekarang",
            text=text,
        )

    @app.post("/kantor/<office>/<year>/versi/<version_id>/pulihkan")
    def restore(office: str, year: str, version_id: str):
        old_text = workspace.version_text(office, year, version_id)
        current = workspace.read(office, year)
        kept = workspace.save(office, year, old_text, digest(current))
        note = f"versi {_when(version_id)} dipulihkan"
        if kept:
            note += f"; isi sebelumnya disimpan sebagai versi {_when(kept.id)}"
        return redirect(url_for("versions", office=office, year=year, pesan=note))

    # -- SAKTI import ---------------------------------------------------------------------------

    @app.get("/kantor/<office>/<year>/impor")
    def import_form(office: str, year: str):
        workspace.input_path(office, year)
        return render_template("import.html", office=office, year=year, preview=None)

    @app.post("/kantor/<office>/<year>/impor")
    def import_preview(office: str, year: str):
        from kpu_docs.sakti.importer import prepare_import

        path, _ = _paths(office, year)
        upload = request.files.get("ekspor")
        if upload is None or not upload.filename:
            raise KpuDocsError("pilih berkas ekspor SAKTI (.xlsx atau .csv) terlebih dahulu")
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in EXPORT_SUFFIXES:
            raise KpuDocsError(f"berkas {upload.filename} bukan ekspor .xlsx atau .csv")
        with tempfile.TemporaryDirectory(prefix="kpu-docs-impor-") as tmp:
            # the browser's file name is never a path: only its safe form, inside a fresh folder
            export_path = Path(tmp) / (Path(_safe_name(upload.filename)).stem + suffix)
            upload.save(export_path)
            try:
                prepared = prepare_import(export_path, path)
            except InputError as exc:
                raise KpuDocsError(
                    "masukan ini belum dapat dibaca; perbaiki dulu: " + "; ".join(str(p) for p in exc.problems[:3])
                ) from None
            except KpuDocsError as exc:  # refused (with the export's totals) or another satker's export
                # the user knows the file by its own name and the input as office/year, not by server paths
                message = (
                    str(exc).replace(str(export_path), export_path.name).replace(str(path), f"{office}/{path.name}")
                )
                refused = {"file": export_path.name, "message": message, "totals": getattr(exc, "totals", "")}
                return render_template("import.html", office=office, year=year, preview=None, refused=refused), 400
        plan, export, text = prepared.plan, prepared.export, prepared.original
        checked = checks.check_text(plan.text, path)
        if checked.report is None:
            raise KpuDocsError(
                "hasil impor tidak dapat dibaca kembali; tidak ada yang ditulis: "
                + "; ".join(str(p) for p in checked.problems[:3])
            )
        changes = prepared.changes
        read = (sum(r.pagu or 0 for r in export.roots), sum(r.realisasi or 0 for r in export.roots))
        token = secrets.token_urlsafe(16)
        with pending_lock:
            now = time.monotonic()
            for key in [k for k, p in pending.items() if now - p.created > PENDING_IMPORT_SECONDS]:
                pending.pop(key, None)
            pending[token] = PendingImport(office, year, digest(text), plan.text, now)
        new_total = checked.report.total
        preview = {
            "file": _safe_name(upload.filename),
            "token": token,
            "export_total": None
            if export.total is None
            else (amount(export.total.pagu or 0), amount(export.total.realisasi or 0)),
            "read_total": (amount(read[0]), amount(read[1])),
            "input_total": (amount(new_total.pagu), amount(new_total.realisasi)),
            "rows": len(export.rows),
            "changes": [c.describe() for c in changes],
            "summary": summary(changes),
            "warnings": plan.warnings,
            "notes": plan.notes,
            "unchanged": plan.text == text,
            "findings": checks.findings_json(checked),
        }
        return render_template("import.html", office=office, year=year, preview=preview)

    @app.post("/kantor/<office>/<year>/impor/terapkan")
    def import_apply(office: str, year: str):
        token = request.form.get("token", "")
        with pending_lock:
            plan = pending.pop(token, None)
        if plan is None or (plan.office, plan.year) != (office, year):
            raise KpuDocsError("pratinjau impor ini sudah tidak berlaku; unggah ekspornya sekali lagi")
        version = workspace.save(office, year, plan.text, plan.base)
        note = "Impor diterapkan"
        note += f"; isi sebelumnya disimpan sebagai versi {_when(version.id)}" if version else " (tidak ada perubahan)"
        return redirect(url_for("edit", office=office, year=year, pesan=note))

    # -- build and download ---------------------------------------------------------------------

    @app.get("/kantor/<office>/<year>/laporan")
    def outputs(office: str, year: str):
        path, text = _paths(office, year)
        checked = checks.check_text(text, path)
        files, pages = [], []
        if checked.report is not None:
            where, names = _outputs(checked.report)
            # outdated: not what the latest build here read; before any build here, older than the input
            # (a build that changes nothing leaves the files and their times as they were)
            last, edited = jobs.last_done((office, year)), workspace.last_built(path)
            for kind in ("docx", "xlsx", "pdf"):
                target = where / names[kind]
                if target.is_file():
                    built = workspace.last_built(target)
                    files.append(
                        {
                            "kind": kind,
                            "name": names[kind],
                            "size": target.stat().st_size,
                            "built": built.astimezone().strftime("%d-%m-%Y %H:%M") if built else "",
                            "stale": digest(text) != last.built_from
                            if last and (kind != "pdf" or last.pdf)
                            else bool(built and edited and edited > built),
                        }
                    )
            pages = list(range(1, len(preview_pages(where)) + 1))
        running = jobs.running((office, year))
        return render_template(
            "outputs.html",
            office=office,
            year=year,
            checked=checked,
            files=files,
            pages=pages,
            running=running.id if running else None,
            out=workspace.out,
        )

    @app.post("/kantor/<office>/<year>/buat")
    def start_build(office: str, year: str):
        path = workspace.input_path(office, year)
        payload = _json_body()
        job = jobs.start((office, year), path, workspace.out, bool(payload.get("pdf")))
        return jsonify({"ok": True, **job.as_json()})

    @app.get("/pekerjaan/<job_id>")
    def job_status(job_id: str):
        job = jobs.get(job_id)
        if job is None:
            abort(404)
        return jsonify({"ok": True, **job.as_json()})

    @app.get("/kantor/<office>/<year>/unduh/<kind>")
    def download(office: str, year: str, kind: str):
        if kind not in ("docx", "xlsx", "pdf"):
            abort(404)
        report, _ = prepare(workspace.input_path(office, year))
        where, names = _outputs(report)
        target = where / names[kind]
        if not target.is_file():
            raise NotFound(f"{names[kind]} belum dibuat: tekan 'Buat laporan' dulu")
        return send_file(target, as_attachment=True, download_name=names[kind])

    @app.get("/kantor/<office>/<year>/pratinjau/<int:page>")
    def preview(office: str, year: str, page: int):
        report, _ = prepare(workspace.input_path(office, year))
        where, _ = _outputs(report)
        pages = preview_pages(where)
        if not 1 <= page <= len(pages):
            abort(404)
        return send_file(pages[page - 1], mimetype="image/png")

    return app
