"""Start-up: a fresh process loads the templates' compiled code instead of compiling them."""

from __future__ import annotations

import pytest
from jinja2 import FileSystemBytecodeCache
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from kpu_docs.render.docx import templating


@pytest.fixture
def cache(tmp_path, monkeypatch):
    bcc = FileSystemBytecodeCache(str(tmp_path))
    monkeypatch.setattr(templating, "_bytecode_cache", lambda: bcc)
    return tmp_path


def fresh_env():
    """What a new process gets: an environment with an empty in-memory cache."""
    templating.environment.cache_clear()
    return templating.environment()


def test_second_process_loads_compiled_code(cache, monkeypatch):
    source = "<w:t>{{ office }} {{ total | default(0) }}</w:t>"
    assert fresh_env().from_string(source).render(office="KPU Kota Serang") == "<w:t>KPU Kota Serang 0</w:t>"
    assert len(list(cache.iterdir())) == 1
    env = fresh_env()
    monkeypatch.setattr(type(env), "compile", lambda *a, **k: pytest.fail("compiled again"))
    assert env.from_string(source).render(office="KPU Kota Bekasi") == "<w:t>KPU Kota Bekasi 0</w:t>"


def test_edited_template_is_compiled_again(cache):
    fresh_env().from_string("<w:t>{{ a }}</w:t>")
    assert fresh_env().from_string("<w:t>{{ a }}!</w:t>").render(a=1) == "<w:t>1!</w:t>"
    assert len(list(cache.iterdir())) == 2


def test_cached_code_still_runs_in_the_sandbox(cache):
    hostile = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(SecurityError):
        fresh_env().from_string(hostile).render()
    env = fresh_env()
    assert isinstance(env, SandboxedEnvironment)
    with pytest.raises(SecurityError):  # now from the cache
        env.from_string(hostile).render()
    templating.environment.cache_clear()


@pytest.mark.parametrize("argv", [["schema"], ["build", "tidak-ada.yaml", "-q"]])
def test_every_command_runs_with_the_garbage_collector_on_again(argv, monkeypatch):
    """``run`` turns the collector off while a command's modules load; whatever the command,
    it does its work with the collector on, and a build with the imports frozen out of it."""
    import gc

    from kpu_docs.cli import main as cli
    from kpu_docs.publish import build as build_mod

    seen = []
    monkeypatch.setattr(cli, "_schema", lambda args: seen.append((gc.isenabled(), gc.get_freeze_count())) or 0)
    monkeypatch.setattr(build_mod, "find_inputs", lambda paths: seen.append((gc.isenabled(), gc.get_freeze_count())))
    gc.disable()  # as run() does
    try:
        cli.main(argv)
    finally:
        gc.enable()
        gc.unfreeze()
    assert seen and seen[0][0] is True
    if argv[0] == "build":
        assert seen[0][1] > 0
