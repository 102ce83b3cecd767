"""Markdown → HTML for figures, code, headings and links, pinned by fixture files."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize as upstream_normalize
from markdown_it.utils import read_fixture_file

from sitegen.markdown import MarkdownOptions, make_parser, normalize, render_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"
CASES = [
    pytest.param(source, expected, id=f"{path.stem}:{line}:{title}")
    for path in sorted(FIXTURES.glob("*.md"))
    for line, title, source, expected in read_fixture_file(path)
]


def render(source: str) -> str:
    options = MarkdownOptions()
    return render_markdown(source, options, page_url="/blog/2024/01/p/", base_path="/blog/").html


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_fixture(source: str, expected: str):
    assert render(source) == expected


def test_the_parser_normalizes_with_the_faster_rule():
    assert make_parser(MarkdownOptions()).core.ruler.getRules("")[0] is normalize


@given(st.text(alphabet="\r\n\0a$ "))
def test_normalize_is_markdown_its_own(src: str):
    ours, theirs = StateCore(src, None, {}), StateCore(src, None, {})  # type: ignore[arg-type]
    normalize(ours)
    upstream_normalize(theirs)
    assert ours.src == theirs.src
