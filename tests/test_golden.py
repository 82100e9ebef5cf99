"""Acceptance tier: a fresh build of every sample office equals the committed reference files,
part by part after normalisation (tests/golden/normalise.py). To accept an intended change:
``python -m tests.golden.update`` (tests/README.md)."""

from __future__ import annotations

import zipfile

import pytest

from tests.golden import INPUTS, KINDS, REFERENCE, build_samples, versions_note
from tests.golden.normalise import first_difference, part_lines, parts

EXPECTED = sorted(p.relative_to(REFERENCE).as_posix() for p in REFERENCE.rglob("*") if p.suffix.lstrip(".") in KINDS)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return build_samples(tmp_path_factory.mktemp("golden"))


def test_references_cover_every_sample_and_kind():
    offices_years = {f"{p.parent.name}/{p.stem}" for p in INPUTS}
    covered = {name.rsplit("/", 1)[0] for name in EXPECTED}
    assert covered == offices_years
    for office_year in offices_years:
        kinds = {name.rsplit(".", 1)[1] for name in EXPECTED if name.startswith(office_year + "/")}
        assert kinds == set(KINDS), office_year


def test_build_writes_exactly_the_referenced_files(fresh):
    assert sorted(fresh) == EXPECTED, "run `python -m tests.golden.update` if the file names changed on purpose"


@pytest.mark.parametrize("name", EXPECTED)
def test_build_matches_reference(fresh, name):
    assert name in fresh, f"{name} was not built"
    difference = first_difference(parts(REFERENCE / name), parts(fresh[name]))
    if difference is not None:
        pytest.fail(
            f"{name} differs from its golden reference.\n{difference}\n{versions_note()}"
            "If this change is intended: python -m tests.golden.update (see tests/README.md)",
            pytrace=False,
        )


def test_normaliser_ignores_the_zip_container_but_not_content(tmp_path):
    """The comparison must be blind to entry order and timestamps, and see a changed character."""
    source = REFERENCE / EXPECTED[0]
    with zipfile.ZipFile(source) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    shuffled = tmp_path / "shuffled.zip"
    with zipfile.ZipFile(shuffled, "w", zipfile.ZIP_STORED) as out:
        for name, data in reversed(entries):
            out.writestr(zipfile.ZipInfo(name, (2030, 6, 7, 8, 9, 10)), data)
    assert first_difference(parts(source), parts(shuffled)) is None

    name, data = next((n, d) for n, d in entries if n in ("word/document.xml", "xl/sharedStrings.xml"))
    changed = data.replace(b"2023", b"2032", 1)
    assert changed != data
    assert part_lines(name, data) != part_lines(name, changed)


def test_normaliser_keeps_meaningful_whitespace():
    a = b'<w:p xmlns:w="urn:w"><w:r><w:t xml:space="preserve">Rp 1</w:t></w:r></w:p>'
    b = b'<w:p xmlns:w="urn:w"><w:r><w:t xml:space="preserve">Rp  1</w:t></w:r></w:p>'
    pretty = b'<w:p xmlns:w="urn:w">\n  <w:r>\n    <w:t xml:space="preserve">Rp 1</w:t>\n  </w:r>\n</w:p>'
    assert part_lines("word/document.xml", a) != part_lines("word/document.xml", b)
    assert part_lines("word/document.xml", a) == part_lines("word/document.xml", pretty)
