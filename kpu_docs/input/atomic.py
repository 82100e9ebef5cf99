"""Writing one file whole or not at all: the one way kpu-docs writes a user's file in place.

Every input, draft, backup and kept version goes through ``write_file``: the content is
written to a temporary file beside the target (same folder, so same file system), flushed to
disk, then renamed over the target (or linked to it, when it must not exist yet) and the
folder synced. A crash, a full disk or a failed check leaves the old file as it was and no
temporary file behind. Every file it writes is an input or a copy of one (a new year's input,
an import-report draft, a SAKTI-updated input and its backups, the web page's saves and kept
versions), and as part of the first stage every later one may use it; it depends only on ``errors``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from kpu_docs.errors import OutputError

MAX_BACKUPS = 10_000


def write_file(
    path: Path,
    content: str | bytes,
    *,
    create_only: bool = False,
    backup: bool = False,
    check: Callable[[Path], object] | None = None,
) -> Path | None:
    """Put ``content`` at ``path`` atomically; return the backup's path (with ``backup``), else None.

    A ``str`` is written as UTF-8 with its line endings as given (never translated). The
    temporary file is ``.<name>.<random>.tmp`` beside ``path``. A replaced file keeps its
    permission bits; a new file gets those of any file a program creates (0666 less the umask).
    Replacing a symlink replaces the file it names (beside which the temporary file and the
    backup go): the link stays, as an editor would keep it.

    - ``create_only``: never replace anything: FileExistsError when the name is taken (a file,
      a folder, a symlink, even a dangling one), also when it is taken while writing (the
      temporary file is hard-linked to the name; where the file system has no hard links,
      the name is claimed with O_EXCL first).
    - ``backup``: keep the bytes being replaced in the first free ``<name>.bak``,
      ``<name>.bak.1``, ``<name>.bak.2`` … (see ``keep_backup``); ``path`` must exist.
    - ``check``: called with the temporary file's path before anything is replaced; whatever
      it raises aborts the write.

    Raises OSError (e.g. a full disk; naming ``path``, never the temporary file) and
    OutputError (no free backup name); nothing is changed at ``path`` then."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if not create_only:  # a link keeps linking: write the file it names, beside that file
        path = Path(os.path.realpath(path))
    try:
        tmp = _write_temp(path, data)
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        if path.exists() and not create_only:
            shutil.copymode(path, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        if check is not None:
            check(tmp)
        kept = keep_backup(path) if backup else None
        if create_only:
            _create(tmp, path)
        else:
            os.replace(tmp, path)
        sync_folder(path.parent)
    except OSError as exc:
        raise _naming(exc, path, tmp) from None
    finally:
        tmp.unlink(missing_ok=True)  # after a link (create_only) or a failure; gone after a rename
    return kept


def _umask() -> int:
    """The process's umask, read without changing it (``os.umask`` sets it, racing other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def _naming(exc: OSError, path: Path, tmp: Path | None = None) -> OSError:
    """``exc`` naming the file the user knows (``path``) where it named the temporary file or
    nothing (a full disk while writing); a backup's name is left as it is."""
    if tmp is None or exc.filename in (None, str(tmp)):
        exc.filename, exc.filename2 = str(path), None
    return exc


def keep_backup(path: Path) -> Path:
    """Copy ``path``'s bytes to the first free ``<name>.bak[.N]``, created exclusively (an existing
    backup is never replaced) with ``path``'s permission bits, flushed to disk; return it.
    Raises OutputError (Indonesian) when 10 000 names are taken, OSError when writing fails
    (the partial backup removed)."""
    content = path.read_bytes()
    mode = path.stat().st_mode & 0o777
    for n in range(MAX_BACKUPS):
        backup = path.with_name(path.name + (".bak" if n == 0 else f".bak.{n}"))
        try:
            fd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        _fill(fd, backup, content)
        return backup
    raise OutputError(f"terlalu banyak cadangan {path.name}.bak.*: pindahkan yang lama, lalu impor lagi")


def _write_temp(path: Path, data: bytes) -> Path:
    """``data`` in a new temporary file beside ``path``, flushed to disk (removed if that fails)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".tmp", dir=path.parent)
    _fill(fd, Path(name), data)
    return Path(name)


def _fill(fd: int, path: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``path`` open at ``fd`` and flush it to disk; on failure
    (a full disk) the file is removed."""
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _create(tmp: Path, path: Path) -> None:
    """Give ``tmp``'s content the name ``path`` only if nothing has that name (FileExistsError)."""
    try:
        os.link(tmp, path)  # fails if the name is taken: no overwrite, ever
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (some network shares): claim the name first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            os.replace(tmp, path)
        except BaseException:
            path.unlink(missing_ok=True)  # the empty file claimed above, ours
            raise


def sync_folder(folder: Path) -> None:
    """fsync a folder, so that a rename inside it survives a crash (where the OS allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
