"""The child that compiles the theme while a build starts: what it compiles is what the build
loads, it starts only when there is something to compile, and it stays light."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from sitegen.build import TEMPLATE_CACHE
from sitegen.config import load_config
from sitegen.errors import BuildFailed
from sitegen.precompile import precompile
from sitegen.render import compile_templates, make_environment
from tests.conftest import imported_after, post


@pytest.fixture
def site(make_site) -> Path:
    return make_site({"content/posts/a.md": post("A")})


def _compiles(env: jinja2.Environment, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The templates `env` compiles from source (rather than loads) from now on."""
    compiled: list[str] = []
    compile_source = env.compile

    def spy(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return compile_source(source, name, filename, raw, defer_init)

    monkeypatch.setattr(env, "compile", spy)
    return compiled


def test_the_build_loads_every_template_the_child_compiled(site, monkeypatch):
    config = load_config(site)
    folder = site / TEMPLATE_CACHE
    precompile(config, folder).wait()
    env = make_environment(config, folder)
    compiled = _compiles(env, monkeypatch)
    compile_templates(env)
    assert env.list_templates()  # the default theme's
    assert compiled == []  # each one loaded, as the child left it


def test_a_template_changed_after_the_child_compiled_it_is_compiled_again(site, monkeypatch):
    config = load_config(site)
    folder = site / TEMPLATE_CACHE
    precompile(config, folder).wait()
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("gone\n", encoding="utf-8")
    env = make_environment(config, folder)
    compiled = _compiles(env, monkeypatch)
    compile_templates(env)
    assert compiled == ["404.html"]


def test_no_child_when_the_templates_are_compiled_already(site, monkeypatch):
    config = load_config(site)
    folder = site / TEMPLATE_CACHE
    precompile(config, folder).wait()
    monkeypatch.setattr("os.fork", lambda: pytest.fail("forked a child with nothing to do"))
    assert precompile(config, folder)._pid is None


def test_a_build_whose_template_is_broken_still_names_its_line(site, build):
    (site / "templates").mkdir()
    (site / "templates" / "post.html").write_text("{% if %}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(site)
    assert [(e.path, e.line) for e in failed.value.errors] == [("templates/post.html", 1)]


def test_the_child_does_not_import_the_markdown_machinery():
    """It starts while the build imports that machinery: importing it too would make it
    finish after the build needs the templates."""
    imported = imported_after("import sitegen.build, sitegen.render")
    for heavy in ("markdown_it", "mdit_py_plugins", "pygments", "yaml"):
        assert heavy not in imported
    assert "jinja2" in imported
