"""The math rules, pinned by the text-in/HTML-out cases in tests/fixtures/math/*.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import read_fixture_file
from mdit_py_plugins.footnote import footnote_plugin

from sitegen.markdown.math import DEFAULT_ENVIRONMENTS, math_plugin

FIXTURES = Path(__file__).parent / "fixtures" / "math"


def make_parser(**options: object) -> MarkdownIt:
    """The parser the fixtures' expected HTML was written for."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    footnote_plugin(md)
    math_plugin(md, **options)
    return md


def prepare(title: str, source: str) -> str:
    """Apply the title's tags; fixture files themselves are plain LF text without a BOM.

    ``[crlf]`` turns every line ending of the input into CRLF, ``[bom]`` prepends U+FEFF.
    """
    if "[crlf]" in title:
        source = source.replace("\n", "\r\n")
    if "[bom]" in title:
        source = "\ufeff" + source
    return source


def fixture_cases() -> list[object]:
    cases = []
    for path in sorted(FIXTURES.glob("*.md")):
        for line, title, source, expected in read_fixture_file(path):
            cases.append(pytest.param(title, source, expected, id=f"{path.stem}:{line}"))
    return cases


@pytest.mark.parametrize(("title", "source", "expected"), fixture_cases())
def test_fixture(title: str, source: str, expected: str) -> None:
    assert make_parser().render(prepare(title, source)) == expected


def math_tokens(md: MarkdownIt, text: str) -> list[Token]:
    found = []
    for token in md.parse(text):
        found += [token, *(token.children or [])]
    return [token for token in found if token.type.startswith("math_")]


def test_tokens_carry_tex_opener_and_lines() -> None:
    text = "a $x$ \\(y\\) $$z$$ \\[w\\]\n\n$$\nb\n$$\n\\begin{align*}\nc\n\\end{align*}\n"
    found = [(t.type, t.markup, t.content, t.map) for t in math_tokens(make_parser(), text)]
    assert found == [
        ("math_inline", "$", "x", None),
        ("math_inline", "\\(", "y", None),
        ("math_inline_display", "$$", "z", None),
        ("math_inline_display", "\\[", "w", None),
        ("math_block", "$$", "\nb\n", [2, 5]),
        ("math_env", "\\begin{align*}", "\\begin{align*}\nc\n\\end{align*}", [5, 8]),
    ]


def test_dollars_off_leaves_dollars_as_text() -> None:
    html = make_parser(dollars=False).render("$x_1$ and \\(y\\)\n\n$$\nz\n$$\n")
    assert html == ('<p>$x_1$ and <span class="math inline">\\(y\\)</span></p>\n<p>$$\nz\n$$</p>\n')


def test_brackets_off_makes_backslash_brackets_escapes() -> None:
    html = make_parser(brackets=False).render("\\(x\\) and $y$\n\n\\[\nz\n\\]\n")
    assert html == ('<p>(x) and <span class="math inline">\\(y\\)</span></p>\n<p>[\nz\n]</p>\n')


def test_configured_environment_names_replace_the_defaults() -> None:
    md = make_parser(environments=("CD",))
    assert md.render("\\begin{CD}\nA @>>> B\n\\end{CD}\n") == (
        '<div class="math display">\\begin{CD}\nA @&gt;&gt;&gt; B\n\\end{CD}</div>\n'
    )
    assert md.render("\\begin{equation}\nx\n\\end{equation}\n").startswith("<p>")


def test_no_environments_and_no_delimiters_change_nothing() -> None:
    text = "$x$ \\(y\\) | a |\n|---|\n| $|b|$ |\n\n\\begin{equation}\nz\n\\end{equation}\n"
    plain = MarkdownIt("commonmark", {"html": True}).enable("table")
    assert make_parser(dollars=False, brackets=False, environments=()).render(text) == (
        plain.render(text)
    )


def test_default_environments_are_the_ams_displays() -> None:
    bases = ("equation", "align", "gather", "multline", "eqnarray", "alignat", "flalign")
    assert set(DEFAULT_ENVIRONMENTS) == {*bases, *(name + "*" for name in bases)}
