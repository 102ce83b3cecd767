"""The theme's environment: `partial_cached` (one rendering per build for the same arguments,
shown on many pages, with what it read counted as read by each of them) and the escaping of
`{{ … }}` output (markupsafe's, without its Python wrapper)."""

from pathlib import Path

import jinja2
import markupsafe
import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from sitegen import depends
from sitegen import render as render_module
from sitegen.build import BuildFailed, BuildOptions, build_site
from sitegen.config import load_config
from sitegen.content import load_document, markdown_options
from sitegen.render import make_environment, render_route
from sitegen.routes import site_routes
from sitegen.site import Publishing, Site, assemble_site
from sitegen.sources import Source
from tests.conftest import MINIMAL_CONFIG, NOW, post, write_site

META = "{{ doc.title }} ({{ doc.tags|length }} tags, {{ style }})"
CACHED = '{% for post in site.posts %}[{{ partial_cached("_meta.html", doc=post, style=style) }}]{% endfor %}'
INLINE = "{% for post in site.posts %}[{% with doc = post %}" + META + "{% endwith %}]{% endfor %}"


def environment_and_site(
    root: Path, templates: dict[str, str], config_text: str = MINIMAL_CONFIG
) -> tuple[jinja2.Environment, Site]:
    posts = {"a": post("Alpha", tags=["x", "y"]), "b": post("Beta", "2024-02-01", tags=["x"])}
    files = {f"templates/{name}": text for name, text in templates.items()}
    posts_files = {f"content/posts/{name}.md": text for name, text in posts.items()}
    write_site(root, files | posts_files, config_text)
    config = load_config(root)
    docs = [
        load_document(
            Source(f"content/posts/{name}.md", "post", text.encode()),
            config,
            markdown_options(config),
        )
        for name, text in posts.items()
    ]
    return make_environment(config), assemble_site(config, docs, Publishing(now=NOW))


def render(
    env: jinja2.Environment, site: Site, source: str, **context: object
) -> tuple[str, depends.Recording]:
    with depends.recording() as seen:
        html = env.from_string(source).render(site=site, **context)
    return html, seen


def test_a_cached_partial_shows_and_records_what_the_same_markup_inline_does(tmp_path):
    env, site = environment_and_site(tmp_path, {"_meta.html": META})
    first, first_reads = render(env, site, CACHED, style="long")
    again, again_reads = render(env, site, CACHED, style="long")  # every partial from the cache
    inline, inline_reads = render(env, site, INLINE, style="long")
    assert first == again == inline == "[Beta (1 tags, long)][Alpha (2 tags, long)]"
    assert first_reads.deps() == again_reads.deps() == inline_reads.deps()
    assert ("doc", "content/posts/a.md") in dict(again_reads.deps())
    assert "_meta.html" in again_reads.templates


def test_other_arguments_are_another_rendering(tmp_path):
    env, site = environment_and_site(tmp_path, {"_meta.html": META})
    assert render(env, site, CACHED, style="long")[0].endswith("long)]")
    assert render(env, site, CACHED, style="short")[0].endswith("short)]")


def test_another_site_is_another_rendering(tmp_path):
    env, site = environment_and_site(tmp_path, {"_meta.html": "{{ site.posts|length }}"})
    smaller = assemble_site(site.config, list(site.posts[:1]), Publishing(now=NOW))
    source = '{{ partial_cached("_meta.html", doc=site.posts[0]) }}'
    assert render(env, site, source)[0] == "2"
    assert render(env, smaller, source)[0] == "1"


def test_a_partial_does_not_see_the_page_that_shows_it(tmp_path):
    env, site = environment_and_site(tmp_path, {"_meta.html": "{{ secret }}"})
    with pytest.raises(jinja2.UndefinedError, match="secret"):
        render(env, site, CACHED, style="long", secret="of the page")


def test_a_mistake_in_a_cached_partial_names_its_file_and_line(make_site, tmp_path):
    root = make_site(
        {
            "content/posts/a.md": post("A"),
            "templates/_post_meta.html": "{{ doc.title }}\n{{ canonical_url }}\n",
        }
    )
    with pytest.raises(BuildFailed) as caught:
        build_site(root, BuildOptions(output=tmp_path / "out", now=NOW))
    [error] = caught.value.errors
    assert (error.path, error.line) == ("templates/_post_meta.html", 2)
    assert "canonical_url" in error.message


def test_markup_arguments_are_values_and_not_the_same_as_text(tmp_path):
    # `{% set %}…{% endset %}` makes Markup: equal Markup is one rendering however many
    # pages ask (base.html passes its nav key so), while text equal to it shows otherwise
    env, site = environment_and_site(tmp_path, {"_p.html": "{{ tick() }}{{ v }}"})
    calls = []
    env.globals["tick"] = lambda: calls.append(1) or ""
    captured = '{% set v %}<b>{% endset %}{{ partial_cached("_p.html", v=v) }}'
    assert render(env, site, captured)[0] == render(env, site, captured)[0] == "<b>"
    assert len(calls) == 1
    assert render(env, site, '{{ partial_cached("_p.html", v=v) }}', v="<b>")[0] == "&lt;b&gt;"
    assert len(calls) == 2


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


TEXT = st.text(alphabet=st.sampled_from(list("&<>\"'ab中 \n")) | st.characters(), max_size=30)


@given(
    st.one_of(
        TEXT,
        TEXT.map(markupsafe.Markup),
        st.integers(),
        st.floats(allow_nan=False),
        st.none(),
        st.just(_Html()),
    )
)
def test_escape_is_markupsafes(value):
    ours, theirs = render_module.escape(value), markupsafe.escape(value)
    assert type(ours) is type(theirs) is markupsafe.Markup
    assert str(ours) == str(theirs)


@given(
    st.one_of(
        TEXT,
        TEXT.map(markupsafe.Markup),
        st.integers(),
        st.none(),
        st.just(_Html()),
    )
)
def test_safe_filter_is_jinjas(value):
    env = jinja2.Environment(autoescape=True)
    ours, theirs = render_module.mark_safe(value), env.filters["safe"](value)
    assert type(ours) is type(theirs) is markupsafe.Markup
    assert str(ours) == str(theirs)


def test_templates_mark_safe_with_ours_and_copy_plain_globals(tmp_path):
    write_site(tmp_path, {})
    env = make_environment(load_config(tmp_path))
    assert env.filters["safe"] is render_module.mark_safe
    template = env.get_template("404.html")
    # a dict, not Jinja's ChainMap, which each new context copied a Python call a key
    assert type(template.globals) is dict
    assert template.globals == dict(env.globals)
    assert env.from_string("{{ t.read_more }}|{{ '<b>'|safe }}").render() == "Read more|<b>"


def test_templates_compiled_and_loaded_from_bytecode_escape_with_it(tmp_path):
    write_site(tmp_path, {})
    config = load_config(tmp_path)
    for _ in ("compiled from source", "loaded from the bytecode cache"):
        env = make_environment(config, tmp_path / "compiled")
        template = env.get_template("404.html")
        assert template.root_render_func.__globals__["escape"] is render_module.escape
    assert list((tmp_path / "compiled").iterdir())  # the second one was loaded from there
    page = env.from_string("{{ a }}|{{ b }}|{{ c }}").render(
        a="<&>", b=markupsafe.Markup("<i>"), c=3
    )
    assert page == "&lt;&amp;&gt;|<i>|3"


def test_theme_macros_are_imported_once_and_given_what_they_show(tmp_path):
    config = MINIMAL_CONFIG + 'license_name = "CC BY 4.0"\nlicense_url = "https://cc.example/"\n'
    env, site = environment_and_site(tmp_path, {}, config)
    pages = {route.output_path: route for route in site_routes(site)}
    html = render_route(env, site, pages["2024/02/b/index.html"]).decode()
    note = BeautifulSoup(html, "html.parser").select_one(".post-license")
    assert note.select_one('a[rel="license"]')["href"] == "https://cc.example/"
    assert note.select("a")[-1]["href"] == "https://example.org/2024/02/b/"  # the page's own
    render_route(env, site, pages["index.html"])
    # imported without the page's context, the module is made once and kept (a page each)
    assert env.get_template("_macros.html")._module is not None
