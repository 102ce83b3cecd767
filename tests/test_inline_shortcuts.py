"""Inline parsing with the shortcuts gives exactly the tokens of markdown-it-py's own (every
run parsed, the pairing chain run on each): on every fixture and example post, and on
random inline Markdown; and the shortcuts are taken, and only while the parser allows."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.rules_core import inline as upstream_inline

from sitegen.markdown import MarkdownOptions, make_parser
from sitegen.markdown.inline_shortcuts import IDLE_WITHOUT_PAIRS
from tests.conftest import MARKDOWN_SOURCES

PARSER = make_parser(MarkdownOptions())


def _copy(md: MarkdownIt, ruler2: Ruler) -> MarkdownIt:
    """`md` with its own core ruler and second inline ruler (rules copied), to change."""
    other = copy.copy(md)
    other.inline = copy.copy(md.inline)
    other.inline.ruler2 = ruler2
    ruler2.__rules__ = [copy.copy(rule) for rule in md.inline.ruler2.__rules__]
    other.core = copy.copy(md.core)
    other.core.ruler = Ruler()
    other.core.ruler.__rules__ = [copy.copy(rule) for rule in md.core.ruler.__rules__]
    return other


REFERENCE = _copy(PARSER, Ruler())  # markdown-it-py's own second ruler…
REFERENCE.core.ruler.at("inline", upstream_inline)  # …and core rule


def _same_tokens(source: str) -> None:
    assert PARSER.parse(source, {}) == REFERENCE.parse(source, {})


@pytest.mark.parametrize("source", MARKDOWN_SOURCES)
def test_fixtures_and_posts_give_the_same_tokens(source: str) -> None:
    _same_tokens(source)


PIECES = [
    *["text", "中文", "。", " ", "\n", "*", "**", "_", "__", "~", "~~", "***", "a_b", "*a*"],
    *["_a_", "~~s~~", "**b**", "[l](/u)", "[l]", "![i](/i.png)", "<https://x.org>", "<b>"],
    *["`c`", "$a_1*b$", "$$x_*$$", "\\(y_1\\)", "\\*", "&amp;", "&", "[^1]", "^[note *x*]"],
    *["$5", "|", "# ", "2. ", "> ", "- ", "    ", "\n\n"],
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_random_markdown_gives_the_same_tokens(pieces: list[str]) -> None:
    _same_tokens("".join(pieces) + "\n\n[^1]: foot *note*\n")


def test_the_second_chain_is_the_rules_named_and_runs_as_one_guarded_rule():
    """A rule renamed or added upstream would otherwise go unguarded or be skipped."""
    assert {rule.name for rule in PARSER.inline.ruler2.__rules__} == IDLE_WITHOUT_PAIRS
    assert len(PARSER.inline.ruler2.getRules("")) == 1


def _spy(md: MarkdownIt) -> tuple[MarkdownIt, list[str]]:
    """`md` noting each inline run it parses ("run") and each pairing rule it runs."""
    ran: list[str] = []
    spy = _copy(md, type(md.inline.ruler2)())
    for rule in spy.inline.ruler2.__rules__:
        rule.fn = (lambda fn, name: lambda state: ran.append(name) or fn(state))(rule.fn, rule.name)
    spy.inline = copy.copy(spy.inline)
    spy.inline.parse = lambda *args: ran.append("run") or type(md.inline).parse(spy.inline, *args)
    return spy, ran


def test_plain_runs_are_not_parsed_and_others_are_paired_only_when_needed():
    spy, ran = _spy(PARSER)
    spy.parse("中文，句子。\n\n## 2. 李代数\n\n| 甲 | 乙 |\n|---|---|\n| 一 | 二 |\n", {})
    assert ran == []
    spy.parse("中文 $a_1 * b_2$ and text\n", {})
    assert ran == ["run"]
    for source in ("a *b* c", "a ~~b~~", "a [link](/x) c", "a <https://x.org> c", "a_b"):
        ran.clear()
        spy.parse(source, {})
        assert ran == ["run", "balance_pairs", "strikethrough", "emphasis", "fragments_join"]


def test_a_plugin_rule_in_the_second_chain_turns_the_shortcuts_off():
    md = make_parser.__wrapped__(MarkdownOptions())  # a parser of its own, not the shared one
    seen = []
    md.inline.ruler2.push("mine", lambda state: seen.append(state.src))
    md.parse("plain text\n\n*em*", {})
    assert seen == ["plain text", "*em*"]


def test_a_rule_before_text_turns_the_plain_run_shortcut_off():
    md = make_parser.__wrapped__(MarkdownOptions())
    md.inline.ruler.before("text", "shout", lambda state, silent: False)
    spy, ran = _spy(md)
    spy.parse("中文，句子。\n", {})
    assert ran == ["run"]
