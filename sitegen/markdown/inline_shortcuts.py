"""Inline parsing skipped where markdown-it-py would find nothing to do.

Every paragraph, heading and table cell is an inline run that markdown-it-py parses with a
state of its own, trying its rules at each position, then runs a second chain over the
result: pair the `*`, `_` and `~` delimiters (balance_pairs), turn pairs into tags
(strikethrough, emphasis), merge adjacent text tokens and recount levels (fragments_join).
A post has some thirty runs, and most need none of it:

- A run holding none of the characters the `text` rule stops at (a Chinese sentence, a
  heading like "2. 李代数": two runs in three) is all taken by `text`, tried first at
  each position, and parses to one `text` token of it: made here directly.
- A run with no delimiter (in math, `_` and `*` are the math rule's) and no nested token
  (a link, which may leave text tokens side by side) gives the second chain nothing to do.

Each shortcut is taken only while the parser is as described: `text` is markdown-it-py's
own and comes first, and the second chain holds those four rules alone (a plugin's rule
there might act on any run); otherwise markdown-it-py parses as it always does.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import text as text_rule
from markdown_it.token import Token

PairRule = Callable[[StateInline], None]

# markdown-it-py's rules of the second chain: nothing to do without delimiters or nesting
IDLE_WITHOUT_PAIRS = frozenset({"balance_pairs", "strikethrough", "emphasis", "fragments_join"})


def inline_shortcuts(md: MarkdownIt) -> None:
    """Install after every plugin, as dispatch_block_rules."""
    ruler = _GuardedRuler()
    ruler.__rules__ = md.inline.ruler2.__rules__
    md.inline.ruler2 = ruler
    md.core.ruler.at("inline", _inline)


class _GuardedRuler(Ruler):
    """The second inline ruler, whose chain runs only when a run holds something to pair."""

    def __compile__(self) -> None:
        super().__compile__()
        if _pairing_only(self):
            self.__cache__[""] = [_guarded(self.__cache__[""])]  # type: ignore[index]


def _pairing_only(ruler: Ruler) -> bool:
    rules = [rule for rule in ruler.__rules__ if rule.enabled]
    return bool(rules) and {rule.name for rule in rules} <= IDLE_WITHOUT_PAIRS


def _guarded(rules: list[PairRule]) -> PairRule:
    def pair(state: StateInline) -> None:
        # a nested token (link, autolink, footnote…) has a dict here; others None
        if state.delimiters or any(state.tokens_meta):
            for rule in rules:
                rule(state)

    return pair


def _inline(state: StateCore) -> None:
    """markdown-it-py's core `inline` rule, with plain runs made into their text token."""
    md = state.md
    parser = md.inline
    stops = getattr(parser, "terminator_re", None)  # markdown-it-py 4: what `text` stops at
    if stops is not None and not (
        parser.ruler.getRules("")[:1] == [text_rule] and _pairing_only(parser.ruler2)
    ):
        stops = None
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if stops is None or stops.search(token.content):
                parser.parse(token.content, md, state.env, token.children)
            elif token.content:
                child = Token("text", "", 0)
                child.content = token.content
                token.children.append(child)
