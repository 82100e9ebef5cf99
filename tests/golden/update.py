"""Regenerate the golden files on purpose: ``python -m tests.golden.update``.

Run it from the repository root after a change that is *meant* to change the outputs, read
``git diff --stat tests/golden/reference`` and the failing test's diff before it, and commit the
new references together with the change that explains them.
"""

from __future__ import annotations

from . import REFERENCE, update

if __name__ == "__main__":
    for line in update():
        print(line)
    print(f"references written to {REFERENCE}")
