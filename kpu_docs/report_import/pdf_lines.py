"""Text lines of a PDF with their positions (pdfminer.six), as JSON on standard output.

Run as a child process by ``extract`` so that a hostile PDF is bounded in time and memory
(``python -m kpu_docs.report_import.pdf_lines FILE MAX_PAGES``). Output: a list of pages, each
``[height, [[x0, x1, top, bottom, text], ...]]`` with ``top``/``bottom`` measured from the top.
Exit status 3: more than MAX_PAGES pages; 2: the file cannot be read (reason on stderr).
"""

from __future__ import annotations

import json
import sys


def lines(path: str, max_pages: int) -> list:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    pages = []
    for number, page in enumerate(extract_pages(path, laparams=LAParams(), maxpages=max_pages + 1), 1):
        if number > max_pages:
            raise OverflowError
        found: list = []
        _collect(page, page.height, found)
        pages.append([page.height, found])
    return pages


def _collect(obj, height: float, found: list) -> None:
    """Append ``[x0, x1, top, bottom, text]`` of every text line under ``obj`` (top-down coordinates)."""
    from pdfminer.layout import LTTextLineHorizontal

    if isinstance(obj, LTTextLineHorizontal):
        found.append([obj.x0, obj.x1, height - obj.y1, height - obj.y0, obj.get_text()])
    elif hasattr(obj, "__iter__"):
        for child in obj:
            _collect(child, height, found)


def main(argv: list[str]) -> int:
    try:
        result = lines(argv[0], int(argv[1]))
    except OverflowError:
        return 3
    except Exception as exc:  # pdfminer raises many types for damaged or encrypted files
        print(type(exc).__name__, file=sys.stderr)
        return 2
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
