"""Runs under a Python that can ``import uno`` (Debian: ``/usr/bin/python3`` with
``python3-uno``), never imported by kpu-docs itself: ``pdf.convert_numbered`` starts it.

It starts one headless LibreOffice, and for every DOCX: loads it hidden, lets LibreOffice
update the table of contents (its own page numbers), reads the number printed on every
page, and exports the PDF (with its outline). One LibreOffice for the whole batch.

Protocol: a JSON object on stdin ``{"soffice": path, "profile": folder URL,
"files": [[docx, pdf], ...]}``; one JSON line per file on stdout, in order:
``{"pdf": path, "pages": [[numbering type, number], ...], "toc": "text\\tlabel\\n..."}``
(one pair per exported page) or ``{"pdf": path, "error": message}``. Exit status 3: ``uno`` is missing.
Standard library and ``uno`` only.
"""

import json
import os
import subprocess
import sys
import time

try:
    import uno
    from com.sun.star.beans import PropertyValue
    from com.sun.star.connection import NoConnectException
except ImportError:
    sys.exit(3)

START_TIMEOUT = 60.0
NUMBER_NONE = 5  # com.sun.star.style.NumberingType: nothing printed
NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode
NO_UPDATE = 0  # com.sun.star.document.UpdateDocMode


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


SCRIPT = "vnd.sun.star.script:%s$page_numbers_json?language=Python&location=user"


def install_script(profile):
    """Copy this file into the profile's Python macros, so that ``page_numbers`` can run
    inside LibreOffice: one call per document instead of five round trips per page."""
    folder = os.path.join(uno.fileUrlToSystemPath(profile), "user", "Scripts", "python")
    os.makedirs(folder, exist_ok=True)
    name = "kpudocs_pages.py"
    with open(__file__, "rb") as src, open(os.path.join(folder, name), "wb") as dst:
        dst.write(src.read())
    return name


def in_process_script(ctx, name):
    """The copied ``page_numbers_json`` as a script LibreOffice runs itself, or None (no
    Python script provider: libreoffice-script-provider-python)."""
    try:
        factory = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.script.provider.MasterScriptProviderFactory", ctx
        )
        return factory.createScriptProvider("").getScript(SCRIPT % name)
    except Exception:
        return None


def connect(soffice, profile):
    pipe = f"kpudocs{os.getpid()}"
    proc = subprocess.Popen(
        [
            soffice,
            "-env:UserInstallation=" + profile,
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("LibreOffice tidak dapat dijalankan") from exc
            time.sleep(0.05)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop, ctx


def prints_number(page_style):
    """Whether the style's header or footer shows a page number field (a cover does not)."""
    for part in ("Header", "Footer"):
        if not page_style.getPropertyValue(part + "IsOn"):
            continue
        for variant in ("Text", "TextFirst", "TextLeft", "TextRight"):
            try:
                text = page_style.getPropertyValue(part + variant)
            except Exception:
                continue
            if text is None:
                continue
            paragraphs = text.createEnumeration()
            while paragraphs.hasMoreElements():
                paragraph = paragraphs.nextElement()
                if not paragraph.supportsService("com.sun.star.text.Paragraph"):
                    continue
                portions = paragraph.createEnumeration()
                while portions.hasMoreElements():
                    portion = portions.nextElement()
                    if portion.TextPortionType == "TextField" and portion.TextField.supportsService(
                        "com.sun.star.text.TextField.PageNumber"
                    ):
                        return True
    return False


def page_numbers_json(doc):
    """``page_numbers`` as JSON text: what the in-process script returns over the bridge."""
    return json.dumps(page_numbers(doc))


def page_numbers(doc):
    """[numbering type, number] of each page LibreOffice exports (automatic blank pages
    skipped): the page number as the footer prints it, in com.sun.star.style.NumberingType."""
    styles = doc.getStyleFamilies().getByName("PageStyles")
    numbering_of = {}
    cursor = doc.getCurrentController().getViewCursor()
    cursor.jumpToLastPage()
    last = cursor.getPage()
    pages, number = [], 0
    for page in range(1, last + 1):
        cursor.jumpToPage(page)
        cursor.jumpToStartOfPage()
        number += 1
        if cursor.getPage() != page:  # a blank page LibreOffice inserted: counted, not exported
            continue
        style = cursor.PageStyleName
        offset = cursor.getPropertyValue("PageNumberOffset")
        if isinstance(offset, int):
            number = offset
        if style not in numbering_of:
            page_style = styles.getByName(style)
            numbering_of[style] = page_style.NumberingType if prints_number(page_style) else NUMBER_NONE
        pages.append([numbering_of[style], number])
    return pages


GAP = "\u00a0\u00a0"  # as table_list.GAP: an entry's text never runs into its page number


def gap_before_number(index):
    """Two no-break spaces between each entry's text and its tab to the page number, at every
    level: without them, a line whose text ends at the tab stop shows "Manajemen8"."""
    formats = index.LevelFormat
    for level in range(1, formats.getCount()):
        tokens = list(formats.getByIndex(level))
        types = [dict((p.Name, p.Value) for p in token).get("TokenType") for token in tokens]
        if "TokenTabStop" not in types or any(dict((p.Name, p.Value) for p in t).get("Text") == GAP for t in tokens):
            continue
        at = types.index("TokenTabStop")
        tokens.insert(at, (prop("TokenType", "TokenText"), prop("Text", GAP)))
        uno.invoke(
            formats,
            "replaceByIndex",
            (level, uno.Any("[][]com.sun.star.beans.PropertyValue", tuple(tuple(t) for t in tokens))),
        )
    index.LevelFormat = formats


def convert(desktop, docx, pdf, script=None):
    # A template may come from anyone: never run its macros, never fetch its links.
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(docx),
        "_blank",
        0,
        (
            prop("Hidden", True),
            prop("ReadOnly", True),
            prop("MacroExecutionMode", NEVER_EXECUTE),
            prop("UpdateDocMode", NO_UPDATE),
        ),
    )
    try:
        indexes = doc.getDocumentIndexes()
        toc = []
        for i in range(indexes.getCount()):
            index = indexes.getByIndex(i)
            if index.supportsService("com.sun.star.text.ContentIndex"):
                gap_before_number(index)
            index.update()
            if index.supportsService("com.sun.star.text.ContentIndex"):
                toc.append(index.getAnchor().getString())
        pages = json.loads(script.invoke((doc,), (), ())[0]) if script is not None else page_numbers(doc)
        filters = (prop("ExportBookmarks", True), prop("IsSkipEmptyPages", True))
        doc.storeToURL(
            uno.systemPathToFileUrl(pdf), (prop("FilterName", "writer_pdf_Export"), prop("FilterData", filters))
        )
        return {"pdf": pdf, "pages": pages, "toc": "\n".join(toc)}
    finally:
        doc.close(True)


def main():
    job = json.load(sys.stdin)
    name = install_script(job["profile"])
    proc, desktop, ctx = connect(job["soffice"], job["profile"])
    script = in_process_script(ctx, name)
    try:
        for docx, pdf in job["files"]:
            try:
                line = convert(desktop, docx, pdf, script)
            except Exception as exc:  # one bad document must not stop the batch
                line = {"pdf": pdf, "error": f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}"}
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
