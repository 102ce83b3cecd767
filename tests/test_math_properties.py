"""Math is sacred: any TeX, in any delimiter and container, reaches the page byte for byte."""

from __future__ import annotations

import string
from collections.abc import Callable

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from sitegen.markdown.math import math_plugin

# The TeX grammar. Left out, on purpose:
# - unescaped `$`, `\)`, `\]`, `\begin{equation}`/`\end{equation}`: they are the closers
#   (a literal dollar is drawn as `\$`, which is TeX's own spelling of it);
# - a lone backslash: it would pair with the closing delimiter (`a\` + `$` reads as `\$`);
# - tabs: markdown-it expands a tab that straddles a list item's indentation into spaces,
#   which is Markdown's rule for indentation, not a property of math;
# - blank lines (TeX forbids them in math) and newlines in inline math (a table row is
#   one line); a newline is always followed by a letter, so a continuation line never
#   reads as a Markdown block start (`- `, `# `, `> `, `1. `), which would end a paragraph
#   in any Markdown.
COMMANDS = [
    r"\alpha",
    r"\beta",
    r"\frac{a}{b}",
    r"\sqrt{x}",
    r"\sum_{i=1}^{n}",
    r"\mathbb{R}",
    r"\left(",
    r"\right)",
    r"\{",
    r"\}",
    r"\|",
    r"\\",
    r"\\[2pt]",
    r"\,",
    r"\_",
    r"\&",
    r"\%",
    r"\#",
    r"\$",
    r"\text{和}",
    r"\begin{aligned}a&=b\\c&=d\end{aligned}",
    r"\require{HTML}\style{color:red}{x}",
    r"\href{https://example.org/?a=1&b=2}{x}",
]
SYMBOLS = [*"_^*|&<>~%#+-=()[],.;:'!?{}`", "&amp;", "&lt;", "**", "__", "~~", "<b>", "[^1]"]
CJK = "设空间的数学则"

word_atoms = st.sampled_from(COMMANDS + SYMBOLS + list(string.ascii_letters + string.digits + CJK))
atoms = st.one_of(word_atoms, st.just(" "))
line_starts = st.sampled_from(string.ascii_letters + CJK)
newlines = line_starts.map(lambda first: "\n" + first)


def tex(body_atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """TeX that starts and ends with a non-space (as Pandoc's `$` requires)."""
    middle = st.lists(body_atoms, max_size=25).map("".join)
    return st.builds(lambda a, m, b: a + m + b, word_atoms, middle, word_atoms) | word_atoms


inline_tex = tex(atoms)
display_tex = tex(st.one_of(atoms, newlines))


def make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    footnote_plugin(md)
    math_plugin(md)
    return md


MD = make_parser()


def paragraph(math: str) -> str:
    return f"Before {math} after."


def list_item(markdown: str) -> str:
    return "- " + markdown.replace("\n", "\n  ")


def block_quote(markdown: str) -> str:
    return "> " + markdown.replace("\n", "\n> ")


def in_list_item(math: str) -> str:
    return list_item(paragraph(math))


def in_block_quote(math: str) -> str:
    return block_quote(paragraph(math))


def heading(math: str) -> str:
    return f"## Title {math} end"


def table_cell(math: str) -> str:
    return f"| a | b |\n|---|---|\n| {paragraph(math)} | c |"


def under_paragraph(container: Callable[[str], str]) -> Callable[[str], str]:
    """A display block right under a paragraph line, a paragraph line right after it."""
    return lambda math: container(f"Intro:\n{math}\nAfter.")


INLINE_CONTAINERS = [paragraph, in_list_item, in_block_quote, heading, table_cell]
BLOCK_CONTAINERS = [under_paragraph(c) for c in (lambda m: m, list_item, block_quote)]
DISPLAY_IN_SENTENCE = [paragraph, in_list_item, in_block_quote]


def the_math(markdown: str, selector: str) -> str:
    """Text of the page's only math element, which must match ``selector``."""
    soup = BeautifulSoup(MD.render(markdown), "html.parser")
    elements = soup.select(".math")
    assert len(elements) == 1, MD.render(markdown)
    assert elements[0] in soup.select(selector)
    return elements[0].get_text()


@settings(max_examples=300, deadline=None)
@given(
    inline_tex, st.sampled_from(INLINE_CONTAINERS), st.sampled_from([("$", "$"), ("\\(", "\\)")])
)
def test_inline_math_survives(
    tex: str, container: Callable[[str], str], delimiters: tuple[str, str]
) -> None:
    opener, closer = delimiters
    text = the_math(container(opener + tex + closer), "span.math.inline")
    assert text == "\\(" + tex + "\\)"


@settings(max_examples=300, deadline=None)
@given(
    display_tex,
    st.sampled_from(DISPLAY_IN_SENTENCE),
    st.sampled_from([("$$", "$$"), ("\\[", "\\]")]),
)
def test_display_math_in_a_sentence_survives(
    tex: str, container: Callable[[str], str], delimiters: tuple[str, str]
) -> None:
    opener, closer = delimiters
    text = the_math(container(opener + tex + closer), "span.math.display")
    assert text == "\\[" + tex + "\\]"


@settings(max_examples=300, deadline=None)
@given(
    display_tex,
    st.sampled_from(BLOCK_CONTAINERS),
    st.sampled_from([("$$", "$$"), ("\\[", "\\]")]),
    st.booleans(),
)
def test_display_block_survives(
    tex: str, container: Callable[[str], str], delimiters: tuple[str, str], own_lines: bool
) -> None:
    opener, closer = delimiters
    math = f"{opener}\n{tex}\n{closer}" if own_lines else opener + tex + closer
    text = the_math(container(math), "div.math.display")
    assert text == "\\[" + math[len(opener) : -len(closer)] + "\\]"


@settings(max_examples=300, deadline=None)
@given(display_tex, st.sampled_from(BLOCK_CONTAINERS), st.sampled_from(["equation", "align*"]))
def test_environment_survives(tex: str, container: Callable[[str], str], name: str) -> None:
    env = f"\\begin{{{name}}}\n{tex}\n\\end{{{name}}}"
    assert the_math(container(env), "div.math.display") == env


# The table wrapper answers "no table here" itself when its cheap test fails: that test
# must be weaker than markdown-it-py's own first checks, or a table would be lost.
ROW_PIECES = [
    "|",
    "-",
    ":",
    " ",
    "\t",
    "a",
    "$",
    "\\|",
    "--",
    ":-",
    "| a |",
    "-|-",
    ":-:|",
    "* ",
    "中",
]


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(ROW_PIECES), max_size=6).map("".join), min_size=1, max_size=3
    ),
    st.integers(0, 4),
)
def test_no_table_by_the_cheap_test_is_no_table_by_markdown_it(rows: list[str], indent: int):
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_block.table import table

    from sitegen.markdown.math import _may_be_table

    md = MarkdownIt("commonmark").enable("table")
    state = StateBlock("\n".join(rows) + "\n", md, {}, [])
    state.blkIndent = min(indent, state.sCount[0])
    if not _may_be_table(state, 0, state.lineMax):
        assert not table(state, 0, state.lineMax, True)
