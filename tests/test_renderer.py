"""sitegen.markdown.renderer: markdown-it's own HTML, rendered faster. Compared with
markdown-it's renderer given the same parser and plugins, on every fixture, the example
blog's posts and generated Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.renderer import RendererHTML
from markdown_it.utils import read_fixture_file

from sitegen import markdown
from sitegen.markdown import MarkdownOptions, make_parser
from sitegen.markdown.renderer import Renderer
from tests.conftest import REPO

OPTIONS = MarkdownOptions()
OURS = make_parser(OPTIONS)
FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = [
    pytest.param(source, id=f"{path.parent.name}/{path.stem}:{line}")
    for folder in ("markdown", "math")
    for path in sorted((FIXTURES / folder).glob("*.md"))
    for line, _, source, _ in read_fixture_file(path)
] + [
    pytest.param(path.read_text(encoding="utf-8"), id=path.name)
    for path in sorted((REPO / "content").rglob("*.md"))
]
# Block and inline constructs whose tags the renderer writes, in every nesting that
# changes a newline: tight and loose lists, quotes, tables, hidden paragraphs...
FRAGMENTS = [
    "para *em* **strong** ~~del~~ `code` [link](/u) ![img](/i.png)",
    "- a\n- b",
    "- a\n\n- b",
    "1. one\n2. two",
    "- > quoted\n- x",
    "> quote\n> - item\n>\n> para",
    "# Heading",
    "Setext\n---",
    "| a | b |\n|---|:-:|\n| 1 | *2* |",
    "```\ncode\n```",
    "    indented code",
    "<div>\nraw\n</div>",
    "***",
    "line  \nbreak\\\nhard",
    "$x_1$ and $$y$$",
    "\\[z\\]",
    "- a\n  - nested\n    1. deep",
    "- \n- empty item",
    "text[^1]\n\n[^1]: note",
    "&amp; <b>inline html</b>",
]


def _rendering_with(renderer_cls: type) -> object:
    """A parser as `make_parser` makes one, rendering with `renderer_cls`."""
    saved = markdown.Renderer
    markdown.Renderer = renderer_cls
    try:
        return make_parser.__wrapped__(OPTIONS)
    finally:
        markdown.Renderer = saved


UPSTREAM = _rendering_with(RendererHTML)


def html(parser, source: str) -> str:
    return parser.render(source, {"page_url": "/blog/p/", "base_path": "/blog/"})


def test_the_parser_renders_with_ours():
    assert type(OURS.renderer) is Renderer


@pytest.mark.parametrize("source", SOURCES)
def test_the_same_html_as_markdown_its_renderer(source: str):
    assert html(OURS, source) == html(UPSTREAM, source)


@given(
    st.lists(
        st.sampled_from(FRAGMENTS) | st.text(alphabet="-*>#|` \n1.ab$"), min_size=1, max_size=8
    ),
    st.lists(st.sampled_from(["\n", "\n\n", "\n  ", "\n> "]), min_size=8, max_size=8),
)
def test_the_same_html_for_generated_markdown(pieces: list[str], joins: list[str]):
    source = "".join(piece + join for piece, join in zip(pieces, joins, strict=False))
    assert html(OURS, source) == html(UPSTREAM, source)
