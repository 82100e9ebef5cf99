"""What keeps an office's build cheap: the loaded input is left out of garbage collections
while the documents are rendered, and is collectable again afterwards."""

from __future__ import annotations

import gc

from kpu_docs.publish import build as build_mod


def test_input_frozen_while_rendering_and_released_after(sample_path, tmp_path, monkeypatch):
    seen = {}
    render = build_mod.render_docx

    def watching(report, out, *args):
        seen["frozen"] = gc.get_freeze_count()
        seen["report_frozen"] = not gc.is_tracked(report) or gc.get_freeze_count() > 0
        return render(report, out, *args)

    monkeypatch.setattr(build_mod, "render_docx", watching)
    before = gc.get_freeze_count()
    result = build_mod.stage(sample_path, tmp_path / "out", tmp_path / "scratch", None)
    assert result.ok, result.reason
    assert seen["frozen"] > before + 1000 and seen["report_frozen"]
    assert gc.get_freeze_count() == before


def test_released_even_when_rendering_fails(sample_path, tmp_path, monkeypatch):
    def failing(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(build_mod, "render_docx", failing)
    before = gc.get_freeze_count()
    result = build_mod.stage(sample_path, tmp_path / "out", tmp_path / "scratch", None)
    assert not result.ok and "boom" in result.reason
    assert gc.get_freeze_count() == before


def test_no_collection_while_the_input_loads_and_released_on_refusal(sample_path, tmp_path, monkeypatch):
    loading, collections = [], []
    real = build_mod.prepare

    def watched(path):
        loading.append(path)
        try:
            return real(path)
        finally:
            loading.pop()

    def callback(phase, info):
        if phase == "start" and loading:
            collections.append(info["generation"])

    monkeypatch.setattr(build_mod, "prepare", watched)
    before, threshold = gc.get_freeze_count(), gc.get_threshold()
    gc.set_threshold(10)  # a collection every few allocations, were the collector on
    gc.callbacks.append(callback)
    try:
        built = build_mod.stage(sample_path, tmp_path / "out", tmp_path / "scratch", None)
        refused = build_mod.stage(sample_path, tmp_path / "out", tmp_path / "scratch2", None, strict=True)
    finally:
        gc.callbacks.remove(callback)
        gc.set_threshold(*threshold)
    assert built.ok and not refused.ok and "--strict" in refused.reason  # the sample has warnings
    assert collections == []
    assert gc.get_freeze_count() == before and gc.isenabled()
