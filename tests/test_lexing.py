"""The faster lexer driver gives exactly Pygments' tokens: for every plain regex lexer Pygments
ships, on real-looking code and on random text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexer import RegexLexer
from pygments.lexers import get_all_lexers, get_lexer_by_name

from sitegen.markdown.lexing import ANYTHING, accelerate, first_characters

SAMPLES = sorted((Path(__file__).parent / "fixtures" / "lexing").glob("*.txt"))
TEXTS = [path.read_text(encoding="utf-8") for path in SAMPLES]


def _plain_regex_lexers() -> list[str]:
    names = []
    for _, aliases, _, _ in get_all_lexers():
        if not aliases:
            continue
        lexer = get_lexer_by_name(aliases[0])
        if (
            isinstance(lexer, RegexLexer)
            and type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed
        ):
            names.append(aliases[0])
    return names


PLAIN = _plain_regex_lexers()


def _pair(name: str):
    options = {"stripnl": False, "ensurenl": False}
    return get_lexer_by_name(name, **options), accelerate(get_lexer_by_name(name, **options))


def test_there_are_samples_and_lexers_to_compare():
    assert len(SAMPLES) >= 5
    assert len(PLAIN) > 300  # Pygments 2.20 has 425


@pytest.mark.parametrize("name", PLAIN)
def test_every_plain_regex_lexer_gives_pygments_tokens(name: str) -> None:
    pygments_own, accelerated = _pair(name)
    for text in TEXTS:
        assert list(accelerated.get_tokens(text)) == list(pygments_own.get_tokens(text))


CODE = st.text(
    alphabet=st.sampled_from("abdefinorstx_019 \t\n\\$'\"`#%/*+-=<>()[]{}:;,.@&|!?~^中"),
    max_size=120,
)
FENCE_LANGUAGES = ["python", "javascript", "bash", "latex", "rust", "go", "julia", "matlab", "r"]


@settings(max_examples=60, deadline=None)
@given(text=CODE, name=st.sampled_from(FENCE_LANGUAGES))
def test_random_text_lexes_as_pygments_does(text: str, name: str) -> None:
    pygments_own, accelerated = _pair(name)
    assert list(accelerated.get_tokens(text)) == list(pygments_own.get_tokens(text))


def test_only_lexers_that_use_pygments_own_loop_are_accelerated():
    python = accelerate(get_lexer_by_name("python"))
    c = accelerate(get_lexer_by_name("c"))  # post-processes the loop's tokens in a subclass
    assert "get_tokens_unprocessed" in vars(python)
    assert "get_tokens_unprocessed" not in vars(c)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"def\b", {"d"}),
        (r"(?i)(rb|br|r)(''')", {"r", "R", "b", "B"}),
        (r"[^\S\n]+", {" ", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f"}),
        (r"(?=[ab])\w", set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")),
        (r"(?<=x)y", {"y"}),
        (r"^\s*#", {" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "#"}),
        (r"a?b*c", {"a", "b", "c"}),
        (r"(?:x|y?)z", {"x", "y", "z"}),
        (r"\d+(?:\.\d*)?", set("0123456789")),
        (r"(['\"])x\1", {"'", '"'}),  # the backreference comes after the first character
        (r"中", set()),  # a non-ASCII start: no ASCII character starts it
    ],
)
def test_first_characters(pattern: str, expected: set[str]) -> None:
    assert first_characters(re.compile(pattern, re.MULTILINE)) == frozenset(expected)


@pytest.mark.parametrize("pattern", ["", "a*", r"(?:x|)", r"(a?)\1b", r"(a)?(?(1)b|c)", r"\b"])
def test_what_may_match_empty_or_cannot_be_read_may_start_anywhere(pattern: str) -> None:
    assert first_characters(re.compile(pattern)) is ANYTHING


def test_a_rule_that_is_no_regex_may_start_anywhere() -> None:
    assert first_characters(None) is ANYTHING
