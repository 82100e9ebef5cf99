"""The vocabulary table against the data, the model and every module that uses it.

The lists below are derived from ``vocabulary.LEVELS``/``NARRATIVES``: a level or a narrative
section added to the table is tested here without editing this file.
"""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from kpu_docs.checks.diff import diff
from kpu_docs.checks.prose import texts
from kpu_docs.checks.validate import validate
from kpu_docs.figures.derive import derive
from kpu_docs.figures.sections import CHAPTER_KEYS as OUTLINE_CHAPTERS
from kpu_docs.figures.sections import ROMAN
from kpu_docs.input import model
from kpu_docs.input.load import load, loads
from kpu_docs.input.next_year import next_year_text
from kpu_docs.render.docx.context import build_context
from kpu_docs.report_import.chapters import segment
from kpu_docs.report_import.extract import Block
from kpu_docs.sakti.export import LEVEL_NAMES
from kpu_docs.vocabulary import (
    ANY_SEGMENT,
    CHAPTERS,
    CHILD_KEYS,
    LEVELS,
    NARRATIVES,
    PROGRAM_CODE,
    REPORTED,
    Level,
    child_key,
    code_prefix,
    dict_children,
    walk,
)
from kpu_docs.web.forms import LABELS
from kpu_docs.web.skeleton import skeleton

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "inputs").rglob("*.yaml"))
RINCIAN = [lv for lv in LEVELS if lv.level > Level.SUB_OUTPUT]


def _trees(data: dict) -> list[dict]:
    return [*data["program"], *(p for grant in data.get("hibah", []) for p in grant["program"])]


# --- the level table --------------------------------------------------------------------------


def test_levels_are_in_depth_order_and_complete():
    assert [lv.level for lv in LEVELS] == list(Level)
    assert LEVEL_NAMES == tuple(lv.name for lv in LEVELS)
    assert REPORTED[-1].level == Level.SUB_OUTPUT  # BAB III narrates down to RO (DOMAIN.md)


@pytest.mark.parametrize("level", LEVELS[1:], ids=lambda lv: lv.name)
def test_each_example_code_extends_its_parents_with_a_segment_of_its_shape(level):
    parent = LEVELS[level.level - 1]
    head, _, last = level.example.rpartition(".")
    assert head == code_prefix(parent.level, parent.example)
    assert level.pattern.match(last)


def test_reported_levels_tell_each_others_segments_apart():
    """CQ, 6709, QGE, 001: a bare segment down to RO says its level (SAKTI.md, the POK's codes)."""
    segments = {lv.level: lv.example.rsplit(".", 1)[-1] for lv in REPORTED}
    for lv in REPORTED:
        assert [level for level, seg in segments.items() if lv.pattern.match(seg)] == [lv.level]


def test_program_example_is_a_full_program_code():
    assert PROGRAM_CODE.match(LEVELS[Level.PROGRAM].example)
    assert LEVELS[Level.PROGRAM].pattern.match(code_prefix(Level.PROGRAM, LEVELS[Level.PROGRAM].example))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_codes_of_the_sample_inputs_match_their_level(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    met = set()
    for tree in _trees(data):
        for step in walk(tree, dict_children):
            code = step.node["kode"]
            met.add(step.level)
            if not step.parents:
                assert PROGRAM_CODE.match(code), code
                continue
            parent = step.parents[-1]["kode"]
            head, _, last = code.rpartition(".")
            assert head == code_prefix(len(step.parents) - 1, parent), code
            if step.level <= Level.SUB_OUTPUT:
                assert step.level.info.pattern.match(last), (code, step.level.info.name)
            else:  # the input's rincian may stop at any depth: one segment of some rincian level
                assert re.fullmatch(ANY_SEGMENT, last) and any(lv.pattern.match(last) for lv in RINCIAN), code
    assert {lv.level for lv in REPORTED} <= met  # the walk reached every reported level


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_child_keys_reach_the_same_nodes_as_the_model(path):
    """Walking the YAML by the table's child keys meets every node the model read, in order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    document = load(path)
    from_yaml = [s.node["kode"] for tree in _trees(data) for s in walk(tree, dict_children)]
    programs = [*document.data.programs, *(p for g in document.data.grants for p in g.programs)]
    from_model = [(s.level, s.node.code) for program in programs for s in walk(program)]
    assert from_yaml == [code for _, code in from_model]
    report = derive(document)
    lines = [*report.lines(), *(line for g in report.grants for p in g.programs for line in p.walk())]
    assert {(line.level, line.code) for line in lines} == set(from_model)


@pytest.mark.parametrize(
    ("cls", "depth"),
    [(model.Program, 0), (model.Kegiatan, 1), (model.Output, 2), (model.SubOutput, 3), (model.Detail, 4)],
)
def test_model_lists_children_under_the_tables_child_key(cls, depth):
    aliases = {f.alias or name for name, f in cls.model_fields.items()}
    assert child_key(depth) in aliases
    assert not (aliases & set(CHILD_KEYS)) - {child_key(depth)}
    assert CHILD_KEYS == tuple(dict.fromkeys(lv.key for lv in LEVELS[1:]))


def _first_at(data: dict, level: Level) -> dict:
    return next(s.node for s in walk(data["program"][0], dict_children) if s.level == level)


@pytest.mark.parametrize("level", REPORTED[:-1], ids=lambda lv: lv.name)
def test_a_childless_level_is_reported_with_its_childrens_noun(level, sample_path, sample_data):
    data = copy.deepcopy(sample_data)
    node = _first_at(data, level.level)
    del node[child_key(level.level)]
    node["pagu"], node["realisasi"] = 1000, 1000
    report = derive(loads(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), sample_path))
    messages = [f.message for f in validate(report)]
    expected = f"{level.noun} '{node['nama']}' tidak memiliki {LEVELS[level.level + 1].noun_abbreviated}:"
    assert any(m.startswith(expected) for m in messages), messages


def test_context_counts_use_the_tables_nouns(sample_path):
    context = build_context(derive(load(sample_path)))
    assert context["program_count"].endswith(f" {Level.PROGRAM.noun}")
    assert context["programs"][0]["kegiatan_count"].endswith(f" {Level.KEGIATAN.noun}")
    by_level = {item["level"]: item for item in context["capaian"] if item["children"]}
    for lv in REPORTED[:-1]:
        assert by_level[lv.level]["children"].endswith(f" {LEVELS[lv.level + 1].noun}")


# --- the narrative sections -----------------------------------------------------------------

SECTIONS = [pytest.param(s, id=s.key) for s in NARRATIVES]


def test_narrative_table_is_the_models_narratives():
    fields = model.Narratives.model_fields
    assert {(name, f.alias) for name, f in fields.items()} == {(s.attribute, s.key) for s in NARRATIVES}


TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "laporan_tahunan.docx"


def _template_text() -> str:
    with zipfile.ZipFile(TEMPLATE) as z:
        return z.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize("section", SECTIONS)
def test_section_reaches_the_template_context_and_the_template(section, sample_path):
    document = load(sample_path)
    context = build_context(derive(document))
    written = getattr(document.data.narratives, section.attribute)
    assert written and len(context[section.attribute]) == len(written)
    xml = _template_text()
    assert f"for p in {section.attribute} " in xml
    assert re.search(rf">(?:BAB [^<]* )?{section.heading}<", xml)


def test_chapter_headings_are_the_templates():
    xml = _template_text()
    assert all(f"{{{{ chapters.{c.key} }}}} {c.heading}<" in xml for c in CHAPTERS)


@pytest.mark.parametrize("section", SECTIONS)
def test_section_in_the_web_page_and_a_new_offices_skeleton(section):
    assert LABELS[section.key] == section.title
    assert yaml.safe_load(skeleton("kota", "Contoh", 2024))["narasi"][section.key] == []


@pytest.mark.parametrize("section", SECTIONS)
def test_section_chapter_and_heading(section):
    """A chapter's section has its chapter's heading; import-report finds the section by it."""
    if section.chapter is not None:
        assert section.chapter in OUTLINE_CHAPTERS
        assert dict(CHAPTERS)[section.chapter] == section.heading
    heading = section.heading if section.chapter is None else f"BAB I {section.heading}"
    chapters, _cover, unknown = segment([Block("Sampul", "p1"), Block(heading, "p2"), Block("Isi bagian ini.", "p3")])
    assert not unknown
    assert [b.text for b in chapters[section.chapter or section.key]] == ["Isi bagian ini."]


def test_chapter_headings_are_found_by_report_import():
    assert OUTLINE_CHAPTERS == tuple(c.key for c in CHAPTERS)
    blocks = [Block(f"BAB {n} {c.heading}", f"p{i}") for i, (n, c) in enumerate(zip(ROMAN, CHAPTERS))]
    chapters, _cover, unknown = segment(blocks)
    assert not unknown and list(chapters) == [c.key for c in CHAPTERS]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_next_year_empties_exactly_the_tables_sections(path):
    old = yaml.safe_load(path.read_text(encoding="utf-8"))
    new = yaml.safe_load(next_year_text(path.read_text(encoding="utf-8"), old["tahun"] + 1))
    for section in NARRATIVES:
        assert old["narasi"][section.key], section.key  # the sample writes it: the test means something
        assert new["narasi"][section.key] == ([] if section.emptied_next_year else old["narasi"][section.key])


@pytest.mark.parametrize("section", SECTIONS)
def test_diff_and_prose_read_every_section(section, sample_path, make_input):
    old = derive(load(sample_path))
    changed = make_input(lambda d: d["narasi"][section.key].__setitem__(0, "Paragraf yang baru."), name="baru.yaml")
    new = derive(load(changed))
    found = [c for c in diff(old, new) if c.subject == f"narasi.{section.key}"]
    assert [(c.kind, c.field, c.new) for c in found] == [("narasi", "paragraf 1", "Paragraf yang baru.")]
    assert any(t.subject == f"narasi.{section.key}[0]" and t.text == "Paragraf yang baru." for t in texts(new))
