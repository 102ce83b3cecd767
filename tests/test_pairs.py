"""Skipping emphasis pairing on inline text with nothing to pair gives exactly the tokens of
running it everywhere: on every fixture and example post, and on random inline Markdown."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler

from sitegen.markdown import MarkdownOptions, make_parser
from sitegen.markdown.pairs import IDLE_WITHOUT_PAIRS
from tests.conftest import MARKDOWN_SOURCES

PARSER = make_parser(MarkdownOptions())


def _with_ruler2(md: MarkdownIt, ruler: Ruler) -> MarkdownIt:
    other = copy.copy(md)
    other.inline = copy.copy(md.inline)
    other.inline.ruler2 = ruler
    ruler.__rules__ = [copy.copy(rule) for rule in md.inline.ruler2.__rules__]
    return other


REFERENCE = _with_ruler2(PARSER, Ruler())  # markdown-it-py's own: the chain on every run


def _same_tokens(source: str) -> None:
    assert PARSER.parse(source, {}) == REFERENCE.parse(source, {})


@pytest.mark.parametrize("source", MARKDOWN_SOURCES)
def test_fixtures_and_posts_give_the_same_tokens(source: str) -> None:
    _same_tokens(source)


def test_the_chain_is_the_rules_named_and_runs_as_one_guarded_rule():
    """A rule renamed or added upstream would otherwise go unguarded or be skipped."""
    assert {rule.name for rule in PARSER.inline.ruler2.__rules__} == IDLE_WITHOUT_PAIRS
    assert len(PARSER.inline.ruler2.getRules("")) == 1


def test_the_rules_run_only_on_text_with_something_to_pair():
    ran = []
    spy = _with_ruler2(PARSER, type(PARSER.inline.ruler2)())
    for rule in spy.inline.ruler2.__rules__:
        rule.fn = (lambda fn, name: lambda state: ran.append(name) or fn(state))(rule.fn, rule.name)
    spy.parse("中文 $a_1 * b_2$ and text\n\n# 标题 $x^*$\n", {})
    assert ran == []
    for source in ("a *b* c", "a ~~b~~", "a [link](/x) c", "a <https://x.org> c", "a_b"):
        ran.clear()
        spy.parse(source, {})
        assert ran == ["balance_pairs", "strikethrough", "emphasis", "fragments_join"], source


def test_a_plugin_rule_in_the_chain_runs_it_unguarded():
    md = make_parser.__wrapped__(MarkdownOptions())  # a parser of its own, not the shared one
    seen = []
    md.inline.ruler2.push("mine", lambda state: seen.append(state.src))
    md.parse("plain text", {})
    assert seen == ["plain text"]


PIECES = [
    *["text", "中文", " ", "\n", "*", "**", "_", "__", "~", "~~", "***", "a_b", "*a*", "_a_"],
    *["~~s~~", "**b**", "[l](/u)", "[l]", "![i](/i.png)", "<https://x.org>", "<b>", "`c`"],
    *["$a_1*b$", "$$x_*$$", "\\(y_1\\)", "\\*", "&amp;", "&", "[^1]", "^[note *x*]", "$5", "|"],
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_random_inline_markdown_gives_the_same_tokens(pieces: list[str]) -> None:
    _same_tokens("".join(pieces) + "\n\n[^1]: foot *note*\n")
