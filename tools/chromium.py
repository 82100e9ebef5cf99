"""Headless Chromium as the browser tests, the README's screenshots and the web benchmark
drive it: the system's browser (``apt-get install chromium``, which ``.ci/run`` does) through
Playwright's Python driver, never a browser Playwright downloads."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright):
    """The system's Chromium, headless, started from a ``sync_playwright()`` context."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
