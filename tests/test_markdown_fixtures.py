"""Markdown → HTML for figures, code, headings and links, pinned by fixture files."""

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from sitegen.markdown import MarkdownOptions, render_markdown

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
