"""Trying block rules by the line's first character gives exactly the tokens of trying them
all: on every fixture and example post, and on random Markdown built from block starts."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler

from sitegen.markdown import MarkdownOptions, make_parser
from sitegen.markdown.dispatch import STARTS
from tests.conftest import MARKDOWN_SOURCES as SOURCES

PARSER = make_parser(MarkdownOptions())


def _trying_every_rule(md: MarkdownIt) -> MarkdownIt:
    """The same parser with markdown-it-py's own ruler: every rule at every line."""
    plain = copy.copy(md)
    plain.block = copy.copy(md.block)
    plain.block.ruler = Ruler()
    plain.block.ruler.__rules__ = md.block.ruler.__rules__
    return plain


REFERENCE = _trying_every_rule(PARSER)


def _same_tokens(source: str) -> None:
    assert PARSER.parse(source, {}) == REFERENCE.parse(source, {})


def test_there_is_markdown_to_compare():
    assert len(SOURCES) > 200


@pytest.mark.parametrize("source", SOURCES)
def test_fixtures_and_posts_give_the_same_tokens(source: str) -> None:
    _same_tokens(source)


def test_every_rule_named_is_a_rule_of_the_parser():
    """A rule renamed by markdown-it-py would silently be tried everywhere again."""
    assert set(STARTS) <= {rule.name for rule in PARSER.block.ruler.__rules__}


def test_a_rule_is_not_tried_on_a_line_it_cannot_start():
    tried = []
    spy = copy.copy(PARSER)
    spy.block = copy.copy(PARSER.block)
    spy.block.ruler = copy.copy(PARSER.block.ruler)
    spy.block.ruler.__rules__ = [copy.copy(rule) for rule in PARSER.block.ruler.__rules__]
    for rule in spy.block.ruler.__rules__:
        rule.fn = (lambda fn, name: lambda *a: tried.append(name) or fn(*a))(rule.fn, rule.name)
    spy.block.ruler.__cache__ = None
    spy.parse("中文\n", {})
    assert "paragraph" in tried
    assert not set(tried) & set(STARTS)


BLOCK_STARTS = [
    *["- ", "* ", "+ ", "1. ", "2) ", "10. ", "> ", ">", "# ", "## ", "#no", "---", "***", "___"],
    *[
        "- - -",
        "===",
        "```",
        "```py",
        "~~~",
        "    ",
        "\t",
        "  ",
        "[a]: /x",
        "[^1]: ",
        "[^1]",
        "[a]",
    ],
    *["<div>", "<!-- more -->", "<b>", "$$", "$$x$$", "$", "\\[", "\\]", "\\begin{equation}"],
    *["\\end{equation}", "\\begin{align*}", "\\(", "| a | b |", "|---|---|", "a | b", "-|-", ""],
]
WORDS = ["text", "中文", "x_1", "*em*", "`c`", "$a|b$", "\\\\", "|", "  ", "$$", "\\]", "```"]
lines = st.builds(
    lambda start, words: start + " ".join(words),
    st.sampled_from(BLOCK_STARTS),
    st.lists(st.sampled_from(WORDS), max_size=3),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(lines, max_size=12))
def test_random_block_markdown_gives_the_same_tokens(text: list[str]) -> None:
    _same_tokens("\n".join(text))
