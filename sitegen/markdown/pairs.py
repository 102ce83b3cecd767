"""Emphasis and strikethrough pairing run only on inline text that has something to pair.

After each inline run is tokenized, markdown-it-py runs its second inline chain: pair the
`*`, `_` and `~` delimiters (balance_pairs), turn the pairs into tags (strikethrough,
emphasis), then merge adjacent text tokens and recount levels (fragments_join). Each walks
the run's tokens, for every paragraph, heading and table cell; a post has two dozen runs and
most hold no delimiter at all (in math, `_` and `*` are the math rule's). Those four only
act on delimiters, on the text tokens that delimiters (or links and the like, which open a
nested token) leave next to each other, and on levels those change; a run with no
delimiter and no nested token gives them nothing to do, and is left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.rules_inline import StateInline

PairRule = Callable[[StateInline], None]

# markdown-it-py's rules of the chain that do nothing without delimiters or nested tokens
IDLE_WITHOUT_PAIRS = frozenset({"balance_pairs", "strikethrough", "emphasis", "fragments_join"})


class _GuardedRuler(Ruler):
    """The second inline ruler, whose chain runs only when a run holds something to pair;
    a chain with any other rule (a plugin's) runs as it is."""

    def __compile__(self) -> None:
        super().__compile__()
        rules = [rule for rule in self.__rules__ if rule.enabled]
        if rules and {rule.name for rule in rules} <= IDLE_WITHOUT_PAIRS:
            self.__cache__[""] = [_guarded([rule.fn for rule in rules])]  # type: ignore[index]


def guard_pair_rules(md: MarkdownIt) -> None:
    """Install after every plugin, as dispatch_block_rules."""
    ruler = _GuardedRuler()
    ruler.__rules__ = md.inline.ruler2.__rules__
    md.inline.ruler2 = ruler


def _guarded(rules: list[PairRule]) -> PairRule:
    def pair(state: StateInline) -> None:
        # a nested token (link, autolink, footnote…) has a dict here; others None
        if state.delimiters or any(state.tokens_meta):
            for rule in rules:
                rule(state)

    return pair
