"""Run the page: a threaded WSGI server (Werkzeug, Flask's own) on 127.0.0.1 only."""

from __future__ import annotations

import sys
import threading
import webbrowser
from pathlib import Path

from werkzeug.serving import make_server

from kpu_docs.errors import UsageError

HOST = "127.0.0.1"  # never another interface: the page edits files and has no accounts


def make(folder: Path, out: Path | None = None, port: int = 0):
    """A ready server over ``folder`` (port 0: a free one); ``server.serve_forever()`` runs it."""
    from .app import create_app

    if not folder.is_dir():
        raise UsageError(f"folder {folder} tidak ditemukan: berikan folder masukan, mis. kpu-docs serve inputs/")
    app = create_app(folder, out)
    try:
        return make_server(HOST, port, app, threaded=True)
    except OSError as exc:
        raise UsageError(f"port {port} tidak dapat dipakai ({exc.strerror}); coba tanpa --port") from None


def serve(folder: Path, out: Path | None = None, *, port: int = 0, open_browser: bool = True) -> int:
    """Serve until Ctrl+C; prints the address and opens the browser unless told not to."""
    server = make(folder, out, port)
    url = f"http://{HOST}:{server.server_port}/"
    print(f"kpu-docs melayani {folder.resolve()} di {url}")
    print("Tekan Ctrl+C untuk berhenti.", flush=True)
    if open_browser:
        threading.Timer(0.3, webbrowser.open, args=(url,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nkpu-docs serve berhenti.", file=sys.stderr)
    finally:
        server.server_close()
    return 0
