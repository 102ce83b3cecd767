"""Block rules tried by the first character of the line.

markdown-it-py tries its block rules in order at the start of every block, and again, in
silent mode, at every line of a paragraph to see whether something interrupts it; a post's
prose lines start with a letter, so the fence, quote, rule, list, heading, HTML and math
rules are each called only to look at that letter and give up (a fifth of parsing a post).
Most rules can only start on a few characters: for those, `STARTS` says which; the others
(paragraphs, tables, indented code, setext headings, any rule not listed) may start on
anything. The rules are then tried in the same order as before, skipping only rules that
would have returned False without doing anything, so the tokens are the same.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock

BlockRule = Callable[[StateBlock, int, int, bool], bool]

# rule name → the characters its first test accepts at the line's first non-space position
STARTS: dict[str, str] = {
    "math_block_dollar": "$",
    "math_block_bracket": "\\",
    "math_env": "\\",
    "fence": "`~",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "footnote_def": "[",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}


class _DispatchingRuler(Ruler):
    """A block ruler whose every chain is one rule that picks the rules for the line."""

    def __compile__(self) -> None:
        enabled = [rule for rule in self.__rules__ if rule.enabled]
        chains = {""} | {name for rule in enabled for name in rule.alt}
        self.__cache__ = {
            chain: [_dispatcher([(r.name, r.fn) for r in enabled if not chain or chain in r.alt])]
            for chain in chains
        }


def dispatch_block_rules(md: MarkdownIt) -> None:
    """Install after every plugin: the rules are read again whenever one is added."""
    ruler = _DispatchingRuler()
    ruler.__rules__ = md.block.ruler.__rules__
    md.block.ruler = ruler


def _dispatcher(rules: list[tuple[str, BlockRule]]) -> BlockRule:
    every = [fn for _, fn in rules]
    anywhere = [fn for name, fn in rules if name not in STARTS]
    by_char = {
        char: [fn for name, fn in rules if char in STARTS.get(name, char)]
        for char in set("".join(STARTS.values()))
    }

    def dispatch(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        pos = state.bMarks[start_line] + state.tShift[start_line]
        src = state.src
        tried = by_char.get(src[pos], anywhere) if pos < len(src) else every
        for rule in tried:  # noqa: SIM110 (any() over a generator: a frame more a line)
            if rule(state, start_line, end_line, silent):
                return True
        return False

    return dispatch
