"""Pygments' regex lexers, driven faster: at each position, only the rules that can match there.

A Pygments `RegexLexer` tries a state's rules in order at every position until one
matches: for a name in Python that is some forty failed regex calls, and lexing was a
quarter of turning a post into HTML. Most rules can only start with a few characters
(`def`, a quote, a digit), which can be read off the regex. So for each state and each
ASCII character, we list the rules that could start with that character, in their
order, and try only those; the first that matches is the one Pygments would have
picked, since every rule left out would have failed. Everything else (actions, state
changes, the error and newline fallbacks) is Pygments' own loop, unchanged, and its
output is token for token the same (tests/test_lexing.py compares them).

What the analysis cannot read (a backreference, an unknown node) counts as "may start
with anything", so the worst case is Pygments' own speed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

try:  # the regex compiler's own parser: private, so everything here is optional
    from re import _compiler as sre_compile
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - another Python
    sre_parse = None

ASCII = tuple(chr(code) for code in range(128))
ANYTHING = None  # a rule that may start with any character (or match nothing)


def accelerate(lexer: Lexer) -> Lexer:
    """`lexer`, lexing with the dispatch tables when it is a plain RegexLexer."""
    if (
        sre_parse is not None
        and isinstance(lexer, RegexLexer)
        and type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed
    ):
        lexer.get_tokens_unprocessed = lambda text, stack=("root",): tokens(lexer, text, stack)  # type: ignore[method-assign]
    return lexer


def tokens(
    lexer: RegexLexer, text: str, stack: tuple[str, ...] = ("root",)
) -> Iterator[tuple[int, Any, str]]:
    """RegexLexer.get_tokens_unprocessed, trying at each position only the rules that can
    start with the character there."""
    tokendefs = lexer._tokens
    dispatch = _dispatch(tokendefs)
    statestack = list(stack)
    statetokens = tokendefs[statestack[-1]]
    table = dispatch[statestack[-1]]
    pos, end = 0, len(text)
    while True:
        code = ord(text[pos]) if pos < end else 128
        candidates = table[code] if code < 128 else statetokens
        for rexmatch, action, new_state in candidates:
            m = rexmatch(text, pos)
            if m:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(lexer, m)
                pos = m.end()
                if new_state is not None:
                    _change_state(statestack, new_state)
                    statetokens = tokendefs[statestack[-1]]
                    table = dispatch[statestack[-1]]
                break
        else:
            if pos >= end:
                break
            if text[pos] == "\n":  # at the end of a line, back to the root state
                statestack = ["root"]
                statetokens = tokendefs["root"]
                table = dispatch["root"]
                yield pos, Whitespace, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1


def _change_state(statestack: list[str], new_state: object) -> None:
    """As Pygments does: a tuple of pushes and pops, a number of pops, or #push."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(statestack) > 1:
                    statestack.pop()
            elif state == "#push":
                statestack.append(statestack[-1])
            else:
                statestack.append(state)
    elif isinstance(new_state, int):
        if abs(new_state) >= len(statestack):  # keep at least one state
            del statestack[1:]
        else:
            del statestack[new_state:]
    elif new_state == "#push":
        statestack.append(statestack[-1])
    else:
        raise AssertionError(f"wrong state def: {new_state!r}")


class _Tables(dict):
    """State → for each ASCII character, the rules that may start with it; made when a
    state is first entered (a lexer has dozens of states, a code block visits a few)."""

    def __init__(self, tokendefs: dict[str, list]) -> None:
        super().__init__()
        self.tokendefs = tokendefs

    def __missing__(self, state: str) -> list[tuple]:
        rules = self.tokendefs[state]
        firsts = [first_characters(getattr(rexmatch, "__self__", None)) for rexmatch, _, _ in rules]
        table = [
            tuple(
                rule
                for rule, first in zip(rules, firsts, strict=True)
                if first is ANYTHING or char in first
            )
            for char in ASCII
        ]
        self[state] = table
        return table


_tables: dict[int, _Tables] = {}


def _dispatch(tokendefs: dict[str, list]) -> _Tables:
    """The tables of a lexer's processed rules: mostly its class's, but some lexers (C#)
    pick a rule set per instance. Each is kept (and so its id stays its own)."""
    tables = _tables.get(id(tokendefs))
    if tables is None:
        tables = _tables[id(tokendefs)] = _Tables(tokendefs)
    return tables


# --- which characters a regex can start with ---------------------------------------------


class _Unknown(Exception):
    pass


def first_characters(pattern: re.Pattern[str] | None) -> frozenset[str] | None:
    """The ASCII characters a match of `pattern` can start with, or ANYTHING (None) when
    it can match the empty string, or the analysis cannot tell (or it is no regex)."""
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)  # type: ignore[union-attr]
        chars, nullable = _first(list(tree), tree.state.flags)
    except (_Unknown, re.error, AttributeError, RecursionError, TypeError, ValueError):
        return ANYTHING
    return ANYTHING if nullable else frozenset(chars)


# Node kinds by name (str of the parser's constants), as they are not all in every Python.
_ONE_CHARACTER = frozenset({"LITERAL", "NOT_LITERAL", "IN", "ANY", "CATEGORY"})
_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


def _first(items: list, flags: int) -> tuple[set[str], bool]:
    """(characters a match of this sequence can start with, whether it can match empty)."""
    chars: set[str] = set()
    for op, argument in items:
        name = str(op)
        if name in _ONE_CHARACTER:
            return chars | _matching((op, argument), flags), False
        if name in _ZERO_WIDTH:  # consumes nothing; only narrows what follows
            continue
        if name == "SUBPATTERN":
            _, add, remove, sub = argument
            found, nullable = _first(list(sub), (flags | add) & ~remove)
        elif name == "ATOMIC_GROUP":
            found, nullable = _first(list(argument), flags)
        elif name in _REPEATS:
            low, _, sub = argument
            found, nullable = _first(list(sub), flags)
            nullable = nullable or low == 0
        elif name == "BRANCH":
            found, nullable = set(), False
            for alternative in argument[1]:
                more, empty = _first(list(alternative), flags)
                found |= more
                nullable = nullable or empty
        else:  # a backreference, a conditional: give up
            raise _Unknown(name)
        chars |= found
        if not nullable:
            return chars, False
    return chars, True


_matched: dict[tuple[str, str, int], frozenset[str]] = {}


def _matching(item: tuple, flags: int) -> frozenset[str]:
    """The ASCII characters one single-character node matches, asked of the regex engine
    itself (case folding, categories and flags as it applies them)."""
    op, argument = item
    if str(op) == "LITERAL" and not flags & re.IGNORECASE:
        return frozenset(ASCII[argument : argument + 1]) if argument < 128 else frozenset()
    key = (str(op), repr(argument), flags)
    found = _matched.get(key)
    if found is None:
        state = sre_parse.State()
        state.flags = flags
        match = sre_compile.compile(sre_parse.SubPattern(state, [item]), flags).match
        found = _matched[key] = frozenset(char for char in ASCII if match(char))
    return found
