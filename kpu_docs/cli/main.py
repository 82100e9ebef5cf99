"""The ``kpu-docs`` command."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from kpu_docs import __version__
from kpu_docs.cli.terminal import SafeText, safe_text
from kpu_docs.errors import InputError, KpuDocsError, UsageError, os_error_message
from kpu_docs.publish.workers import Terminated, install_signal_handlers

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
EXIT_PIPE = 141  # 128 + SIGPIPE, as a shell reports a command whose reader went away


def main(argv: list[str] | None = None) -> int:
    """Run one command; every error is one Indonesian line on stderr, never a traceback.
    Everything printed passes through ``SafeText`` (no terminal control sequences)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):  # no command (or `template` without its action): its help
        getattr(args, "help_of", parser).print_help()
        return EXIT_USAGE
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeText(sys.stdout), SafeText(sys.stderr)
    try:
        _install_signal_handlers()
        if args.run is not _build:  # build turns it back on itself, once its modules are imported
            _collect_again()
        return args.run(args)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} masalah; tidak ada berkas yang ditulis.", file=sys.stderr)
        return EXIT_FINDINGS
    except KpuDocsError as exc:
        print(f"kpu-docs: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    except BrokenPipeError:  # the reader went away (`kpu-docs diff … | head`): nothing more to say
        return EXIT_PIPE
    except OSError as exc:
        print(f"kpu-docs: {os_error_message(exc)}", file=sys.stderr)
        return EXIT_FINDINGS
    except MemoryError:
        print("kpu-docs: kehabisan memori; tidak ada berkas yang ditulis", file=sys.stderr)
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        print("kpu-docs: dihentikan (Ctrl-C); tidak ada berkas setengah jadi yang diterbitkan", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Terminated:
        print("kpu-docs: dihentikan (SIGTERM); tidak ada berkas setengah jadi yang diterbitkan", file=sys.stderr)
        return EXIT_TERMINATED
    except Exception as exc:  # a bug: still one line, naming the command and the error
        print(
            f"kpu-docs: kesalahan tak terduga pada perintah '{' '.join(map(str, argv or sys.argv[1:]))[:200]}': "
            f"{type(exc).__name__}: {exc}. Laporkan ke pengelola kpu-docs.",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    finally:
        sys.stdout, sys.stderr = streams


def _install_signal_handlers() -> None:
    import threading

    if threading.current_thread() is threading.main_thread():
        install_signal_handlers()


_ARGPARSE_MESSAGES = [  # argparse's English messages, in the order they are tried
    (r"the following arguments are required: (.*)", r"argumen wajib belum diberikan: \1"),
    (r"unrecognized arguments: (.*)", r"argumen tidak dikenal: \1"),
    (r"argument (\S+): invalid int value: (.*)", r"argumen \1: bukan bilangan bulat: \2"),
    (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", r"argumen \1: pilihan \2 tidak ada (pilih: \3)"),
    (r"argument (\S+): expected one argument", r"argumen \1: perlu satu nilai"),
    (r"argument (\S+): (.*)", r"argumen \1: \2"),
]


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help, with its usage line labelled in Indonesian."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "pemakaian: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse, whose help is in Indonesian and whose usage errors are one Indonesian line
    (exit status 2). Subcommands' parsers are of this class too (``add_subparsers``)."""

    def __init__(self, *, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(add_help=False, **kwargs)
        self._positionals.title = "argumen"
        self._optionals.title = "pilihan"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="tampilkan bantuan ini, lalu keluar")

    def error(self, message: str):
        import re

        for pattern, replacement in _ARGPARSE_MESSAGES:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, replacement, message)
                break
        sys.stderr.write(safe_text(f"{self.prog}: {message}. Lihat `{self.prog} --help`.\n"))
        sys.exit(EXIT_USAGE)


def run() -> None:
    """The console entry point: ``main``, then exit at once. Once the outputs are written and
    the streams flushed there is nothing left to do, so the interpreter's teardown (freeing
    every module and object one by one) is skipped.

    The garbage collector is off while the command's libraries are imported: imports make
    hundreds of thousands of objects and no garbage, and every collection on the way would
    walk them all (some 25 ms of a rebuild's start-up). ``_collect_again`` turns it back on."""
    gc.disable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said anyway
        pass
    os._exit(code)


def _collect_again() -> None:
    """Turn the garbage collector back on after ``run`` turned it off, with everything made so
    far (modules, classes, compiled patterns) frozen out of later collections: a build's first
    collection would otherwise walk all of it (the worker processes inherit this). Nothing to
    do when the collector is on (``main`` called from Python)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kpu-docs",
        description="Laporan Tahunan KPU (DOCX) dan lampirannya (XLSX) dari satu berkas masukan YAML.",
    )
    parser.add_argument(
        "--version", action="version", version=f"kpu-docs {__version__}", help="tampilkan versi kpu-docs, lalu keluar"
    )
    sub = parser.add_subparsers(metavar="PERINTAH")

    p = sub.add_parser("build", help="buat laporan (DOCX), lampiran (XLSX) dan, dengan --pdf, PDF")
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="berkas YAML atau folder berisi berkas YAML")
    p.add_argument(
        "--out", type=Path, default=Path("outputs"), metavar="FOLDER", help="folder keluaran (bawaan: outputs/)"
    )
    p.add_argument(
        "--pdf", action="store_true", help="juga tulis PDF melalui LibreOffice (daftar isi bernomor halaman)"
    )
    p.add_argument(
        "--template", type=Path, metavar="TEMPLAT.docx", help="templat Word lain (lihat: kpu-docs template export)"
    )
    p.add_argument("--strict", action="store_true", help="peringatan juga menggagalkan pembuatan")
    p.add_argument(
        "--compare",
        type=Path,
        metavar="LAMA.yaml",
        help="tambahkan lembar Perubahan: apa yang berubah sejak versi LAMA.yaml",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="jumlah proses paralel (bawaan: jumlah inti)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="tanpa bilah kemajuan")
    p.set_defaults(run=_build)

    p = sub.add_parser("validate", help="periksa masukan dan tampilkan semua temuan")
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="berkas YAML atau folder berisi berkas YAML")
    p.add_argument("--strict", action="store_true", help="peringatan juga membuat status keluar 1")
    p.set_defaults(run=_validate)

    p = sub.add_parser("diff", help="apa yang diubah sebuah revisi: angka, rincian, narasi, organisasi")
    p.add_argument("old", type=Path, metavar="LAMA.yaml", help="masukan versi lama")
    p.add_argument("new", type=Path, metavar="BARU.yaml", help="masukan versi baru")
    p.add_argument("--json", action="store_true", help="keluaran JSON untuk mesin")
    p.set_defaults(run=_diff)

    p = sub.add_parser("new", help="mulai masukan tahun berikutnya dari masukan tahun ini")
    p.add_argument("previous", type=Path, metavar="SEBELUMNYA.yaml", help="masukan tahun ini")
    p.add_argument("--year", type=int, required=True, metavar="TAHUN", help="tahun anggaran yang baru")
    p.add_argument(
        "--out", type=Path, metavar="BERKAS.yaml", help="berkas tujuan (bawaan: <tahun>.yaml di folder yang sama)"
    )
    p.set_defaults(run=_new)

    p = sub.add_parser("import", help="ambil pagu dan realisasi dari ekspor SAKTI (GLP039 .xlsx/.csv, atau POK)")
    p.add_argument("export", type=Path, metavar="EKSPOR", help="ekspor SAKTI GLP039 (.xlsx/.csv) atau lembar POK")
    p.add_argument("--into", type=Path, required=True, metavar="INPUT.yaml", help="berkas masukan yang diperbarui")
    p.add_argument("--dry-run", action="store_true", help="tampilkan jumlah dan perubahan tanpa menulis apa pun")
    p.add_argument(
        "--ribuan",
        action="store_true",
        default=None,
        help="nilai lembar POK/Rincian Kertas Kerja dalam ribuan Rupiah (bawaan: dari judulnya)",
    )
    p.set_defaults(run=_import)

    p = sub.add_parser("import-report", help="draf masukan dari Laporan Tahunan yang sudah ada (.docx, .pdf, .txt)")
    p.add_argument("report", type=Path, metavar="LAPORAN", help="Laporan Tahunan yang sudah ada (.docx, .pdf, .txt)")
    p.add_argument(
        "--out",
        type=Path,
        metavar="INPUT.yaml",
        help="berkas draf yang dibuat (bawaan: inputs/<satker>/<tahun>.yaml); tidak pernah menimpa",
    )
    p.set_defaults(run=_import_report)

    p = sub.add_parser(
        "audit", help="periksa laporan yang diterima (.docx, .pdf, .txt, atau folder) dan tampilkan temuannya"
    )
    p.add_argument(
        "reports",
        nargs="+",
        type=Path,
        metavar="LAPORAN",
        help="laporan (.docx, .pdf, .txt) atau folder berisi laporan",
    )
    p.add_argument("--json", action="store_true", help="keluaran JSON untuk mesin")
    p.set_defaults(run=_audit)

    p = sub.add_parser("serve", help="halaman web lokal untuk menyunting, memeriksa, mengimpor dan membuat laporan")
    p.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("inputs"),
        metavar="FOLDER",
        help="folder masukan: satu subfolder per kantor berisi <tahun>.yaml (bawaan: inputs/)",
    )
    p.add_argument("--out", type=Path, metavar="KELUARAN", help="folder keluaran (bawaan: FOLDER/keluaran)")
    p.add_argument("--port", type=int, default=0, help="port di 127.0.0.1 (bawaan: port bebas)")
    p.add_argument("--no-browser", action="store_true", help="jangan membuka peramban")
    p.set_defaults(run=_serve)

    p = sub.add_parser("schema", help="tulis JSON Schema berkas masukan")
    p.add_argument("--out", type=Path, metavar="BERKAS", help="berkas tujuan (bawaan: layar)")
    p.set_defaults(run=_schema)

    p = sub.add_parser("template", help="templat Word: export, check")
    p.set_defaults(help_of=p)
    tsub = p.add_subparsers(metavar="AKSI")
    t = tsub.add_parser("export", help="salin templat bawaan ke folder untuk diubah")
    t.add_argument("directory", type=Path, metavar="FOLDER", help="folder tujuan salinan templat")
    t.set_defaults(run=_template_export)
    t = tsub.add_parser("check", help="periksa tag templat terhadap data")
    t.add_argument("template", type=Path, metavar="TEMPLAT.docx", help="templat Word yang diperiksa")
    t.add_argument("--input", type=Path, metavar="INPUT.yaml", help="masukan contoh (bawaan: contoh KPU Kota Serang)")
    t.set_defaults(run=_template_check)
    return parser


def _build(args) -> int:
    from kpu_docs.cli.progress import Progress, summary_table
    from kpu_docs.publish.build import build, find_inputs

    _collect_again()
    inputs = find_inputs(args.inputs)
    if not inputs:
        raise UsageError("tidak ada berkas masukan (.yaml) yang ditemukan")
    if args.template and not args.template.is_file():
        raise UsageError(f"templat {args.template} tidak ditemukan")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: ini berkas, bukan folder; tulis folder keluaran, mis. --out outputs")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: jumlah proses paling sedikit 1")
    bar = Progress(len(inputs), enabled=not args.quiet and len(inputs) > 1)
    results = build(
        inputs,
        args.out,
        args.template,
        pdf=args.pdf,
        jobs=args.jobs,
        strict=args.strict,
        compare=args.compare,
        progress=bar.step,
        notices=lambda m: print(f"kpu-docs: {m}", file=sys.stderr),
    )
    bar.close()
    if len(results) == 1:
        for line in results[0].findings:
            print(line, file=sys.stderr)
    if len(results) == 1:
        result = results[0]
        if result.ok and result.destination is not None:
            print(f"{result.office} {result.year}: {result.destination}")
            for path in sorted(result.destination.iterdir()):
                mark = "ditulis" if path in result.written else "tidak berubah"
                if not path.name.startswith("."):
                    print(f"  {path.name} ({mark})")
        else:
            print(f"{result.input}: gagal: {result.reason}", file=sys.stderr)
    else:
        print(summary_table(results), end="")
        findings = [line for result in results for line in result.findings]
        if findings:  # after the table, set apart from it
            sys.stdout.flush()
            print(f"\nTemuan ({len(findings)}):", file=sys.stderr)
            for line in findings:
                print(f"  {line}", file=sys.stderr)
    return EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS


def _validate(args) -> int:
    from collections import Counter

    from kpu_docs.checks.validate import Severity, has_errors
    from kpu_docs.publish.build import find_inputs, prepare

    status = EXIT_OK
    for path in find_inputs(args.inputs):
        try:
            _, findings = prepare(path)
        except InputError as exc:
            for problem in exc.problems:
                print(problem)
            for notice in exc.notices:
                print(f"{notice} (info)")
            if exc.partial is not None:  # the budget tree is sound: check it in the same run
                from kpu_docs.checks.validate import validate_budget
                from kpu_docs.figures.derive import derive

                for finding in validate_budget(derive(exc.partial)):
                    print(finding)
            print(
                f"{path}: {len(exc.problems)} masalah membuat masukan belum dapat dibaca"
                + ("; anggarannya sudah diperiksa" if exc.partial is not None else "")
            )
            status = EXIT_FINDINGS
            continue
        for finding in findings:
            print(finding)
        counts = Counter(f.severity for f in findings)
        print(
            f"{path}: {counts[Severity.ERROR]} galat, {counts[Severity.WARNING]} peringatan, "
            f"{counts[Severity.INFO]} info"
        )
        if has_errors(findings, args.strict):
            status = EXIT_FINDINGS
    return status


def _diff(args) -> int:
    import json

    from kpu_docs.checks.diff import diff, summary
    from kpu_docs.checks.validate import Severity
    from kpu_docs.publish.build import prepare

    try:
        (old, old_findings), (new, new_findings) = prepare(args.old), prepare(args.new)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    for finding in (*old_findings, *new_findings):  # e.g. a figure YAML misread: never compared silently
        if finding.severity is Severity.ERROR:
            print(finding, file=sys.stderr)
    changes = diff(old, new)
    if args.json:
        print(json.dumps([c.as_json() for c in changes], ensure_ascii=False, indent=2))
    else:
        for change in changes:
            print(change.describe())
        print(f"{args.old} → {args.new}: {summary(changes)}")
    return EXIT_FINDINGS if changes else EXIT_OK


def _new(args) -> int:
    from kpu_docs.input.next_year import start_next_year

    if not 2000 <= args.year <= 2100:
        raise UsageError(f"--year {args.year}: tahun anggaran harus antara 2000 dan 2100")
    if args.out is not None and args.out.is_dir():
        raise UsageError(f"--out {args.out}: ini folder; tulis nama berkas, mis. {args.out / f'{args.year}.yaml'}")
    print(start_next_year(args.previous, args.year, args.out))
    return EXIT_OK


def _import(args) -> int:
    from kpu_docs.sakti.importer import run_import

    return run_import(args.export, args.into, dry_run=args.dry_run, thousands=args.ribuan)


def _import_report(args) -> int:
    from kpu_docs.report_import.commands import import_report

    return import_report(args.report, args.out)


def _audit(args) -> int:
    from kpu_docs.report_import.commands import audit

    return audit(args.reports, as_json=args.json)


def _serve(args) -> int:
    from kpu_docs.web.server import serve

    return serve(args.folder, args.out, port=args.port, open_browser=not args.no_browser)


def _schema(args) -> int:
    from kpu_docs.input.schema import schema_json

    text = schema_json()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return EXIT_OK


def _template_export(args) -> int:
    from kpu_docs.render.docx.templating import export

    print(export(args.directory))
    return EXIT_OK


def _template_check(args) -> int:
    from kpu_docs.publish.build import prepare
    from kpu_docs.render.docx.context import build_context, check_context
    from kpu_docs.render.docx.templating import block_sample_input, check, check_references, sample_input

    check_references(args.template)  # a template that links outside itself is refused by build too
    # the given input (or the Kota Serang sample) with the sample that uses every optional block,
    # so that a template's tags for grants, indicators or added sections are known
    samples = [args.input or sample_input(), block_sample_input()]
    context = check_context([build_context(prepare(sample)[0]) for sample in samples])
    unknown, unused = check(args.template, context)
    for name in unknown:
        print(f"TIDAK DIKENAL  {name}  (tag ini tidak menyebut data apa pun: periksa ejaannya)")
    for name in unused:
        print(f"TIDAK DIPAKAI  {name}")
    print(f"{len(unknown)} tag tidak dikenal, {len(unused)} data tidak dipakai")
    return EXIT_FINDINGS if unknown else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    run()
