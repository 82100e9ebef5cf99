"""input.atomic.write_file: the one way a user's file is written in place."""

from __future__ import annotations

import os

import pytest

from kpu_docs.errors import OutputError, os_error_message
from kpu_docs.input import atomic
from kpu_docs.input.atomic import write_file


@pytest.fixture
def old(tmp_path):
    path = tmp_path / "2023.yaml"
    path.write_bytes(b"tahun: 2023\n")
    return path


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_the_content_replaces_the_file_byte_for_byte(old):
    assert write_file(old, "tahun: 2024\r\ncatatan: café\n") is None
    assert old.read_bytes() == "tahun: 2024\r\ncatatan: café\n".encode()  # UTF-8, line ends as given
    write_file(old, b"\xff\x00raw")
    assert old.read_bytes() == b"\xff\x00raw"
    assert _names(old.parent) == ["2023.yaml"]


@pytest.mark.parametrize("step", ["replace", "fsync", "write"])
def test_a_crash_mid_write_leaves_the_old_file_and_no_temporary_file(old, monkeypatch, step):
    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if step == "write":  # the disk fills while the content is written
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, f):
                self.f = f

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

            def write(self, data):
                self.f.write(data[:3])
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(atomic.os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
    else:
        monkeypatch.setattr(atomic.os, step, crash)
    with pytest.raises(OSError, match="No space"):
        write_file(old, "tahun: 2024\n" * 1000)
    monkeypatch.undo()
    assert old.read_bytes() == b"tahun: 2023\n"
    assert _names(old.parent) == ["2023.yaml"]


@pytest.mark.parametrize("step", ["replace", "fsync", "mkstemp"])
def test_a_failure_names_the_users_file_not_the_temporary_one(old, monkeypatch, step):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", *([str(args[0])] if args and step != "fsync" else []))

    monkeypatch.setattr(atomic.tempfile if step == "mkstemp" else atomic.os, step, full)
    with pytest.raises(OSError) as caught:
        write_file(old, "tahun: 2024\n")
    monkeypatch.undo()
    assert (caught.value.filename, caught.value.filename2) == (str(old), None)
    assert os_error_message(caught.value) == f"{old}: ruang disk penuh; kosongkan ruang lalu ulangi (ENOSPC)"
    assert old.read_bytes() == b"tahun: 2023\n" and _names(old.parent) == ["2023.yaml"]


def test_a_symlinked_input_stays_a_link_and_its_file_is_written(tmp_path):
    shared, office = tmp_path / "bersama", tmp_path / "kantor"
    shared.mkdir()
    office.mkdir()
    real = shared / "2023.yaml"
    real.write_bytes(b"tahun: 2023\n")
    os.chmod(real, 0o644)
    link = office / "2023.yaml"
    link.symlink_to(real)
    kept = write_file(link, "tahun: 2024\n", backup=True)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"tahun: 2024\n" and real.stat().st_mode & 0o777 == 0o644
    assert kept == real.with_name("2023.yaml.bak") and kept.read_bytes() == b"tahun: 2023\n"
    assert _names(shared) == ["2023.yaml", "2023.yaml.bak"] and _names(office) == ["2023.yaml"]


def test_a_failing_check_changes_nothing(old):
    seen = []

    def check(tmp):
        seen.append(tmp.read_text(encoding="utf-8"))
        raise OutputError("tidak dapat dibaca kembali")

    with pytest.raises(OutputError):
        write_file(old, "tahun: 2024\n", backup=True, check=check)
    assert seen == ["tahun: 2024\n"]  # the check sees the new content, written in full
    assert old.read_bytes() == b"tahun: 2023\n"
    assert _names(old.parent) == ["2023.yaml"]  # no backup, no temporary file


def test_create_only_refuses_an_existing_file(old):
    with pytest.raises(FileExistsError):
        write_file(old, "tahun: 2024\n", create_only=True)
    assert old.read_bytes() == b"tahun: 2023\n"
    assert _names(old.parent) == ["2023.yaml"]


@pytest.mark.parametrize("dangling", [False, True])
def test_create_only_refuses_a_symlink_and_never_writes_through_it(tmp_path, dangling):
    secret = tmp_path / "rahasia.txt"
    if not dangling:
        secret.write_bytes(b"milik orang lain")
    link = tmp_path / "2024.yaml"
    link.symlink_to(secret)
    with pytest.raises(FileExistsError):
        write_file(link, "tahun: 2024\n", create_only=True)
    assert link.is_symlink()
    assert secret.exists() is not dangling and (dangling or secret.read_bytes() == b"milik orang lain")
    assert _names(tmp_path) == sorted(["2024.yaml", *([] if dangling else ["rahasia.txt"])])


@pytest.mark.parametrize("hard_links", [True, False])
def test_create_only_refuses_a_name_taken_while_writing(tmp_path, monkeypatch, hard_links):
    """Another process creates the file between the caller's own check and the rename."""
    if not hard_links:  # e.g. a network share: the name is claimed with O_EXCL instead
        monkeypatch.setattr(atomic.os, "link", lambda *a, **k: (_ for _ in ()).throw(PermissionError(1, "no links")))
    target = tmp_path / "2024.yaml"
    with pytest.raises(FileExistsError):
        write_file(target, "tahun: 2024\n", create_only=True, check=lambda tmp: target.write_bytes(b"orang lain\n"))
    assert target.read_bytes() == b"orang lain\n"
    assert _names(tmp_path) == ["2024.yaml"]
    target.unlink()
    write_file(target, "tahun: 2024\n", create_only=True)  # and a free name is created
    assert target.read_bytes() == b"tahun: 2024\n"
    assert _names(tmp_path) == ["2024.yaml"]


def test_backups_are_numbered_and_never_replaced(old):
    os.chmod(old, 0o640)
    contents = [b"tahun: 2023\n"]
    for n in range(3):
        text = f"versi {n}\n"
        backup = write_file(old, text, backup=True)
        assert backup == old.with_name(["2023.yaml.bak", "2023.yaml.bak.1", "2023.yaml.bak.2"][n])
        assert backup.read_bytes() == contents[-1]  # what was replaced, byte for byte
        assert backup.stat().st_mode & 0o777 == 0o640  # as private as the file it copies
        contents.append(text.encode())
    assert old.read_bytes() == b"versi 2\n"
    assert (old.parent / "2023.yaml.bak").read_bytes() == b"tahun: 2023\n"  # the first is still the original
    assert _names(old.parent) == ["2023.yaml", "2023.yaml.bak", "2023.yaml.bak.1", "2023.yaml.bak.2"]


def test_a_taken_backup_name_is_skipped(old):
    (old.parent / "2023.yaml.bak").mkdir()  # a folder of that name
    (old.parent / "2023.yaml.bak.1").write_bytes(b"cadangan lama\n")
    assert write_file(old, "baru\n", backup=True) == old.with_name("2023.yaml.bak.2")
    assert (old.parent / "2023.yaml.bak.1").read_bytes() == b"cadangan lama\n"


def test_too_many_backups_is_refused_before_anything_changes(old, monkeypatch):
    monkeypatch.setattr(atomic, "MAX_BACKUPS", 2)
    (old.parent / "2023.yaml.bak").write_bytes(b"a")
    (old.parent / "2023.yaml.bak.1").write_bytes(b"b")
    with pytest.raises(OutputError, match="terlalu banyak cadangan"):
        write_file(old, "baru\n", backup=True)
    assert old.read_bytes() == b"tahun: 2023\n"
    assert _names(old.parent) == ["2023.yaml", "2023.yaml.bak", "2023.yaml.bak.1"]


def test_a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask(old, tmp_path):
    os.chmod(old, 0o640)
    write_file(old, "a\n")
    assert old.stat().st_mode & 0o777 == 0o640  # not the temporary file's 0600
    previous = os.umask(0o027)
    try:
        write_file(tmp_path / "baru.yaml", "b\n", create_only=True)
    finally:
        os.umask(previous)
    assert (tmp_path / "baru.yaml").stat().st_mode & 0o777 == 0o640  # 0666 less the umask


def test_without_hard_links_a_competitor_never_has_its_file_replaced(tmp_path, monkeypatch):
    """Where the name is claimed with O_EXCL (no hard links), a writer racing for the same name
    right before the rename either gets the name or is refused; its file is never replaced."""
    monkeypatch.setattr(atomic.os, "link", lambda *a, **k: (_ for _ in ()).throw(PermissionError(1, "no links")))
    target = tmp_path / "2024.yaml"
    real_replace = os.replace
    competitor = []

    def racing_replace(src, dst):
        try:
            fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the other writer, also careful
        except FileExistsError:
            competitor.append("refused")
        else:
            os.write(fd, b"orang lain\n")
            os.close(fd)
            competitor.append("created")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", racing_replace)
    try:
        write_file(target, "tahun: 2024\n", create_only=True)
    except FileExistsError:
        pass
    assert competitor == ["refused"] or target.read_bytes() == b"orang lain\n"
    assert target.read_bytes() == (b"tahun: 2024\n" if competitor == ["refused"] else b"orang lain\n")
