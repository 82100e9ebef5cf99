"""Where outputs go and how they land: all or nothing, reproducible bytes.

Files are written into a staging folder first; only when every file of an input is
complete are they published, all of them at once (``publish``), and only when their bytes changed.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from kpu_docs.errors import OutputError
from kpu_docs.input.atomic import sync_folder

STAGING_PREFIX = ".kpu-docs-"
STALE_SECONDS = 24 * 3600  # a staging folder untouched for a day is stale, whoever owns it


@contextmanager
def staging(root: Path):
    """A scratch folder inside the output ``root`` (the same file system, so publishing is an
    atomic rename); removed whatever happens. Scratch folders left by killed builds (their
    process is gone) are removed first."""
    if root.exists() and not root.is_dir():
        raise OutputError(f"{root}: folder keluaran (--out) ini adalah berkas, bukan folder; pilih folder lain")
    root.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(root)
    scratch = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=root))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def remove_stale_staging(root: Path) -> list[Path]:
    """Remove ``root``'s staging folders whose build is no longer running; return them."""
    removed = []
    for path in root.glob(f"{STAGING_PREFIX}*"):
        pid = path.name[len(STAGING_PREFIX) :].split("-", 1)[0]
        stale = time.time() - path.stat().st_mtime > STALE_SECONDS  # also covers a reused pid
        if pid.isdigit() and os.name != "nt":  # (os.kill would end a process on Windows)
            stale = stale or not _alive(int(pid))
        if not stale:
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


# --- publishing ----------------------------------------------------------------------------------

LOCK_SECONDS = 600.0  # how long a build waits for another build publishing to the same folder


def _lock(destination: Path):
    """The lock beside ``destination``: a context manager, also ``acquire()``/``release()``;
    raises TimeoutError after LOCK_SECONDS, OSError naming the lock file when its folder
    cannot hold one (read-only, or a network folder without locking: ENOLCK)."""
    path = destination.parent / f".{destination.name}.lock"
    if os.name != "posix":  # pragma: no cover - Windows: filelock's own locking
        from filelock import FileLock

        return FileLock(str(path), timeout=LOCK_SECONDS)
    return _FolderLock(path, LOCK_SECONDS)


class _FolderLock:
    """An exclusive ``flock`` on a lock file, as filelock takes it on Unix (so a build of an
    earlier kpu-docs, which used filelock, still takes turns with this one), without loading
    filelock and the asyncio machinery it imports (some 14 ms of a rebuild's start-up)."""

    POLL = 0.05

    def __init__(self, path: Path, timeout: float) -> None:
        self.path, self.timeout = path, timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        deadline = time.monotonic() + self.timeout
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"{self.path}: masih dikunci") from None
                time.sleep(self.POLL)
                continue
            except OSError as exc:  # e.g. a network folder without a lock service (ENOLCK)
                os.close(fd)
                exc.filename = exc.filename or str(self.path)  # named in the user's one line
                raise
            except BaseException:
                os.close(fd)
                raise
            if os.fstat(fd).st_nlink == 0:  # the file was removed while we waited: lock the new one
                os.close(fd)
                continue
            self._fd = fd
            return

    def release(self) -> None:
        import fcntl

        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self) -> _FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def publish(files: list[Path], destination: Path, owned: Iterable[str] = ()) -> list[Path]:
    """Publish one input's files (report, annex, PDF) into ``destination`` as one unit;
    return the paths whose content changed.

    The new folder content is assembled beside ``destination`` and swapped in with one
    atomic rename (Linux ``renameat2(RENAME_EXCHANGE)``), so a reader, or a build killed at
    any moment, sees either all the old files or all the new ones, never a new report beside
    an old annex. Builds publishing to the same folder take turns (a lock file beside it).
    ``owned`` names files kpu-docs writes there (e.g. an earlier PDF): dropped when the
    content changed and this build did not make them again; other files are kept.
    Unchanged content leaves the folder untouched. Raises KpuDocsError (Indonesian)."""
    if destination.is_symlink():  # a folder the user placed elsewhere: publish there
        destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _lock(destination):
            return _publish_locked(files, destination, set(owned))
    except TimeoutError:
        raise OutputError(
            f"{destination}: build lain sedang menulis ke folder ini lebih dari {LOCK_SECONDS:g} detik; coba lagi nanti"
        ) from None


def _publish_locked(files: list[Path], destination: Path, owned: set[str]) -> list[Path]:
    parent, name = destination.parent, destination.name
    _recover(destination)
    if destination.exists() and not destination.is_dir():
        raise OutputError(f"{destination}: sudah ada sebagai berkas, padahal harus folder; pindahkan berkas itu")
    current = {p.name: p for p in destination.iterdir()} if destination.is_dir() else {}
    for src in files:
        old = current.get(src.name)
        if old is not None and (old.is_symlink() or not old.is_file()):
            raise OutputError(
                f"{old}: nama ini dipakai oleh folder atau tautan, bukan berkas laporan; pindahkan atau ganti namanya"
            )
    changed = [src.name for src in files if src.name not in current or not _same(current[src.name], src)]
    if not changed:
        return []
    fill = parent / f".{name}.fill-{os.getpid()}"
    shutil.rmtree(fill, ignore_errors=True)
    fill.mkdir()
    try:
        made = {src.name for src in files}
        for src in files:
            if src.name in changed:
                shutil.move(str(src), fill / src.name)
            else:
                _link_or_copy(current[src.name], fill / src.name)
        for entry_name, entry in current.items():
            if entry_name in made or entry_name in owned:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.copytree(entry, fill / entry_name, symlinks=True, copy_function=_link_or_copy)
            else:
                _link_or_copy(entry, fill / entry_name)
        sync_folder(fill)
        ready = parent / f".{name}.ready-{os.getpid()}"
        os.rename(fill, ready)
    except BaseException:
        shutil.rmtree(fill, ignore_errors=True)
        raise
    if destination.exists():
        _swap(ready, destination)
        _remove(ready)  # now holds the old content
    else:
        os.rename(ready, destination)
    sync_folder(parent)
    return [destination / n for n in changed]


def _recover(destination: Path) -> None:
    """Finish or discard what a killed build left beside ``destination`` (under its lock)."""
    parent, name = destination.parent, destination.name
    for leftover in sorted(parent.glob(f".{name}.*-*")):
        kind = leftover.name[len(name) + 2 :].split("-", 1)[0]
        if kind == "ready" and not destination.exists():
            os.rename(leftover, destination)  # complete: it was about to be swapped in
        elif kind in ("fill", "ready", "old"):
            _remove(leftover)


def _remove(path: Path) -> None:
    """Remove a folder we assembled, or a symlink that stood at the destination (never its target)."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _swap(a: Path, b: Path) -> None:
    """Exchange two folders atomically where the system can; else two renames (a build
    killed between them leaves the new content ready, put in place by the next build)."""
    if _exchange(a, b):
        return
    old = b.parent / f".{b.name}.old-{os.getpid()}"
    os.rename(b, old)
    os.rename(a, b)
    os.rename(old, a)


def _exchange(a: Path, b: Path) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _same(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)
