"""Math rules for markdown-it-py: find TeX in Markdown and render it as MathJax-ready HTML.

Where math is recognised
------------------------
Inline (inside any paragraph, heading, list item, quote, table cell, footnote):

* ``$TEX$`` (Pandoc's rule): the opening ``$`` is followed by a non-space character, the
  closing ``$`` is the first unescaped ``$`` after it; that closer must be preceded by a
  non-space character and must not be followed by an ASCII digit, otherwise this ``$`` is
  not an opener and stays text (``$5 and $6`` is money). Nothing is required of the
  characters around the pair, so ``设$x$,则`` is math.
  Two exceptions keep non-math text literal: a ``$`` inside a bare URL
  (``https://e.org/$a/$b``) is part of the URL, and a closer that lies inside a code span
  opening after the opener is code (``price $x and `$` ``): code spans bind tighter than
  math, as CommonMark makes them bind tighter than emphasis.
* ``\\eqref{…}`` and ``\\ref{…}`` written in prose are inline math of exactly that text, as
  MathJax 2 typeset them.
* ``$$TEX$$`` and ``\\[TEX\\]`` inside a line of text: a display span. A ``$$`` that has no
  closing ``$$`` is the literal text ``$$`` (its second ``$`` does not open ``$…$``).
* ``\\(TEX\\)``.

Inline math may span soft line breaks (it never spans a blank line: that ends the paragraph).
Empty or all-blank math is not math.

Blocks (a line whose text starts with the opener, not indented as code):

* ``$$TEX$$`` and ``\\[TEX\\]`` over one or more lines, the closer ending its line (only
  spaces or tabs may follow it), no blank line in between (TeX forbids one in math).
* ``\\begin{NAME}…\\end{NAME}`` for a configured NAME, ``\\end`` matched by counting nested
  ``\\begin{NAME}`` of the same NAME, ending its line, no blank line in between.
  The TeX is the whole environment.

All blocks may interrupt a paragraph. When a block does not qualify (unclosed, blank line,
text after the closer) its lines are left to the other rules, so ``$$…$$`` followed by words
becomes a display span inside the paragraph.

Backslashes
-----------
The inline scanner goes left to right and markdown-it's ``escape`` rule takes a backslash
together with the next character, so ``\\$`` is a literal dollar and never opens math, while
in ``\\\\$x$`` the ``\\\\`` is an escaped backslash and ``$x$`` is math. Inside math a
backslash pairs with the character after it, as TeX reads control symbols: ``\\$`` is a
dollar sign in the formula, ``\\\\`` is TeX's line break, so ``$a\\\\$`` is the math
``a\\\\`` and ``$a\\$b$`` is the math ``a\\$b``. The same pairing decides where ``\\)``,
``\\]``, ``$$`` and ``\\end{NAME}`` close. TeX comments (``%``) are not interpreted.

Everything Markdown would otherwise do inside math (escapes, emphasis, links, entities,
code spans, raw HTML, table cell splitting) is prevented by matching math first: inline
rules run before ``escape``, block rules before ``table``, and the table rule is wrapped so
that a ``|`` inside math does not separate cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import table as markdown_it_table
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererProtocol
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

DEFAULT_ENVIRONMENTS: tuple[str, ...] = (
    "equation",
    "equation*",
    "align",
    "align*",
    "gather",
    "gather*",
    "multline",
    "multline*",
    "eqnarray",
    "eqnarray*",
    "alignat",
    "alignat*",
    "flalign",
    "flalign*",
)

# Block math may interrupt these, like a fenced code block can.
_INTERRUPTS = ["paragraph", "reference", "blockquote", "list"]

# The text of math up to (not including) its closer: any character but a backslash or the
# closer's first character, or a backslash pair (TeX control symbol), or, for two-character
# closers, the first character when the second does not follow.
_BODY = {
    "$": re.compile(r"(?:[^\\$]|\\.)*", re.DOTALL),
    "$$": re.compile(r"(?:[^\\$]|\\.|\$(?!\$))*", re.DOTALL),
    "\\)": re.compile(r"(?:[^\\]|\\[^)])*", re.DOTALL),
    "\\]": re.compile(r"(?:[^\\]|\\[^\]])*", re.DOTALL),
}
_BEGIN = re.compile(r"\\begin\{([^{}\s]+)\}")
_DIGITS = "0123456789"
# A scheme or www. followed by URL characters up to the `$`: that `$` is part of the URL.
_URL_BEFORE = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s<>()]*\Z")
_BOM = "\ufeff"


class _Match(NamedTuple):
    """Math found at an inline position; ``kind`` None means "literal text up to ``after``"."""

    kind: str | None
    markup: str
    content: str
    after: int


def math_plugin(
    md: MarkdownIt,
    *,
    dollars: bool = True,
    brackets: bool = True,
    environments: Iterable[str] = DEFAULT_ENVIRONMENTS,
) -> None:
    """Register the math rules and renderers on ``md``.

    ``dollars`` enables ``$…$``/``$$…$$``, ``brackets`` enables ``\\(…\\)``/``\\[…\\]``,
    ``environments`` lists the names whose top-level ``\\begin{NAME}`` is display math.
    """
    names = frozenset(environments)
    md.core.ruler.after("normalize", "math_bom", _strip_bom)
    if dollars:
        md.inline.ruler.before("escape", "math_dollar", _dollar_inline)
        md.block.ruler.before(
            "table", "math_block_dollar", _display_block("$$", "$$"), {"alt": _INTERRUPTS}
        )
    if brackets:
        md.inline.ruler.before("escape", "math_bracket", _bracket_inline)
        md.block.ruler.before(
            "table", "math_block_bracket", _display_block("\\[", "\\]"), {"alt": _INTERRUPTS}
        )
    if names:
        md.block.ruler.before("table", "math_env", _env_block(names), {"alt": _INTERRUPTS})
    if dollars or brackets:
        md.inline.ruler.before("escape", "math_ref", _ref_inline)
        md.block.ruler.at(
            "table",
            _table_keeping_math(markdown_it_table, dollars=dollars, brackets=brackets),
            {"alt": ["paragraph", "reference"]},
        )
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_inline_display", _render_inline_display)
    md.add_render_rule("math_block", _render_block)
    md.add_render_rule("math_env", _render_env)


def _strip_bom(state: StateCore) -> None:
    # markdown-it keeps a byte-order mark as text, which would stop a first line such as
    # `\begin{equation}` or `$$` from being seen as the start of a block.
    if state.src.startswith(_BOM):
        state.src = state.src[1:]


# Finding math in a string


_REF = re.compile(r"(\\(?:eq)?ref)\{[^{}\n]+\}")


def _find_closer(src: str, pos: int, end: int, closer: str) -> int:
    """Index of the first ``closer`` in ``src[pos:end]`` outside backslash pairs, or -1."""
    if src.find(closer, pos, end) < 0:
        return -1  # the common unclosed case, without walking the text in Python's regex
    stop = _BODY[closer].match(src, pos, end).end()
    return stop if src.startswith(closer, stop, end) else -1


def _match_dollar(src: str, pos: int, end: int) -> _Match | None:
    """Math opened by the ``$`` at ``pos``, or None if this ``$`` is plain text."""
    if src.startswith("$$", pos, end):
        close = _find_closer(src, pos + 2, end, "$$")
        content = src[pos + 2 : close]
        if close < 0 or not content.strip():
            # A lone `$$` is text as a whole: its second `$` must not open `$…$`.
            return _Match(None, "$$", "$$", pos + 2)
        return _Match("math_inline_display", "$$", content, close + 2)
    if pos + 1 >= end or src[pos + 1].isspace() or in_url(src, pos):
        return None
    close = _find_closer(src, pos + 1, end, "$")
    if close < 0 or src[close - 1].isspace():
        return None
    if close + 1 < end and src[close + 1] in _DIGITS:
        return None
    if _inside_later_code_span(src, pos + 1, close, end):
        return None
    return _Match("math_inline", "$", src[pos + 1 : close], close + 1)


def in_url(src: str, pos: int) -> bool:
    """True when the `$` at ``pos`` is part of a bare URL (`https://e.org/$a/$b`)."""
    start = max(0, pos - 300)
    if src.find("://", start, pos) < 0 and src.find("www.", start, pos) < 0:
        return False  # most `$`s: no need to run the pattern back over 300 characters
    return _URL_BEFORE.search(src, start, pos) is not None


def _inside_later_code_span(src: str, start: int, close: int, end: int) -> bool:
    """True when the closing `$` lies inside a code span that opens after the opener.

    Code spans bind tighter than math, as they do than emphasis in CommonMark:
    in ``price $x and `$` `` the second `$` is code, so the first is money.
    """
    tick = src.find("`", start, close)
    while tick >= 0:
        after = _after_code_span(src, tick, end)
        if after > close:
            return True
        tick = src.find("`", after, close)
    return False


def _match_bracket(src: str, pos: int, end: int) -> _Match | None:
    """Math opened by ``\\(`` or ``\\[`` at ``pos``, or None."""
    opener = src[pos : pos + 2]
    if opener == "\\(":
        kind, closer = "math_inline", "\\)"
    elif opener == "\\[":
        kind, closer = "math_inline_display", "\\]"
    else:
        return None
    close = _find_closer(src, pos + 2, end, closer)
    content = src[pos + 2 : close]
    if close < 0 or not content.strip():
        return None
    return _Match(kind, opener, content, close + 2)


# Inline rules


def _push_inline(state: StateInline, found: _Match, silent: bool) -> bool:
    if not silent:
        if found.kind is None:
            state.pending += found.content
        else:
            token = state.push(found.kind, "span", 0)
            token.content = found.content
            token.markup = found.markup
    state.pos = found.after
    return True


def _dollar_inline(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "$":
        return False
    found = _match_dollar(state.src, state.pos, state.posMax)
    return found is not None and _push_inline(state, found, silent)


def _bracket_inline(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "\\":
        return False
    found = _match_bracket(state.src, state.pos, state.posMax)
    return found is not None and _push_inline(state, found, silent)


def _ref_inline(state: StateInline, silent: bool) -> bool:
    # MathJax 2 typeset `\eqref{…}` and `\ref{…}` in prose too; MathJax here reads only
    # .math elements, so a bare reference becomes inline math of exactly that text.
    match = _REF.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    found = _Match("math_inline", match.group(1), match.group(0), match.end())
    return _push_inline(state, found, silent)


# Block rules


_BlockRule = Callable[[StateBlock, int, int, bool], bool]


def _is_blank(state: StateBlock, line: int) -> bool:
    return state.bMarks[line] + state.tShift[line] >= state.eMarks[line]


def _ends_line(state: StateBlock, pos: int, line: int) -> bool:
    return not state.src[pos : state.eMarks[line]].strip(" \t")


def _next_block_line(state: StateBlock, line: int, end_line: int) -> int:
    """The line after ``line`` if a block may continue on it, else -1.

    Math stops at a blank line (TeX forbids one in math) and where the container ends
    (a line indented less than a list item's content, or a lazy line of a quote).
    """
    line += 1
    if line >= end_line or _is_blank(state, line) or state.sCount[line] < state.blkIndent:
        return -1
    return line


def _block_text(state: StateBlock, first: int, start: int, last: int, stop: int) -> str:
    """Source text from ``start`` on line ``first`` to ``stop`` on line ``last``.

    Lines after the first lose their container prefixes (``>``) and the container's
    indentation (markdown-it's own line cutting), so the TeX is what the author typed.
    """
    if first == last:
        return state.src[start:stop]
    parts = [state.src[start : state.eMarks[first]]]
    for line in range(first + 1, last + 1):
        text = state.getLines(line, line + 1, state.blkIndent, False)
        if line == last:
            text = text[: len(text) - (state.eMarks[last] - stop)]
        parts.append(text)
    return "\n".join(parts)


def _display_block(opener: str, closer: str) -> _BlockRule:
    """Block rule for display math between ``opener`` and ``closer``."""

    def display_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if state.is_code_block(start_line):
            return False
        start = state.bMarks[start_line] + state.tShift[start_line]
        if not state.src.startswith(opener, start, state.eMarks[start_line]):
            return False
        line, pos = start_line, start + len(opener)
        while (close := _find_closer(state.src, pos, state.eMarks[line], closer)) < 0:
            line = _next_block_line(state, line, end_line)
            if line < 0:
                return False
            pos = state.bMarks[line] + state.tShift[line]
        if not _ends_line(state, close + len(closer), line):
            return False
        content = _block_text(state, start_line, start + len(opener), line, close)
        if not content.strip():
            return False
        if silent:
            return True
        token = state.push("math_block", "div", 0)
        token.block = True
        token.content = content
        token.markup = opener
        token.map = [start_line, line + 1]
        state.line = line + 1
        return True

    return display_block


def _env_block(names: frozenset[str]) -> _BlockRule:
    """Block rule for ``\\begin{NAME}…\\end{NAME}`` with NAME in ``names``."""
    patterns: dict[str, re.Pattern[str]] = {}

    def env_pattern(name: str) -> re.Pattern[str]:
        # `\\.` takes backslash pairs first, so `\\end{x}` (a line break, then text) is no end.
        if name not in patterns:
            escaped = re.escape(name)
            patterns[name] = re.compile(
                rf"\\begin\{{{escaped}\}}|(\\end\{{{escaped}\}})|\\.", re.DOTALL
            )
        return patterns[name]

    def env_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if state.is_code_block(start_line):
            return False
        start = state.bMarks[start_line] + state.tShift[start_line]
        begin = _BEGIN.match(state.src, start, state.eMarks[start_line])
        if begin is None or begin.group(1) not in names:
            return False
        name = begin.group(1)
        if state.src.find(f"\\end{{{name}}}", start) < 0:
            return False  # cheap, and spares long unclosed runs a rescan from every line
        pattern = env_pattern(name)
        depth, line, pos, stop = 0, start_line, start, -1
        while stop < 0:
            for found in pattern.finditer(state.src, pos, state.eMarks[line]):
                if found.group(0).startswith("\\begin{"):
                    depth += 1
                elif found.group(1):
                    depth -= 1
                    if depth == 0:
                        stop = found.end()
                        break
            if stop < 0:
                line = _next_block_line(state, line, end_line)
                if line < 0:
                    return False
                pos = state.bMarks[line] + state.tShift[line]
        if not _ends_line(state, stop, line):
            return False
        if silent:
            return True
        token = state.push("math_env", "div", 0)
        token.block = True
        token.content = _block_text(state, start_line, start, line, stop)
        token.markup = begin.group(0)
        token.info = name
        token.map = [start_line, line + 1]
        state.line = line + 1
        return True

    return env_block


# Tables: markdown-it splits a row on `|` (and turns `\|` into `|`) before inline rules
# run, so math such as `$|x|$` or `$\|v\|$` would be cut into cells. The wrapper hides the
# pipes inside math from the original rule behind a placeholder of the same length, and
# puts them back into the cells' text afterwards; everything else about tables is unchanged.


def _table_keeping_math(original: _BlockRule, *, dollars: bool, brackets: bool) -> _BlockRule:
    def table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if not _may_be_table(state, start_line, end_line):
            return False  # the original's own first tests would fail
        spans = _pipes_in_math(state, start_line, end_line, dollars, brackets)
        if not spans:
            return original(state, start_line, end_line, silent)
        src = state.src
        placeholder = _unused_char(src)
        pieces, done = [], 0
        for start, stop in spans:
            pieces += [src[done:start], src[start:stop].replace("|", placeholder)]
            done = stop
        pieces.append(src[done:])
        first_new = len(state.tokens)
        state.src = "".join(pieces)
        try:
            matched = original(state, start_line, end_line, silent)
        finally:
            state.src = src
        for token in state.tokens[first_new:]:
            if token.type == "inline":
                token.content = token.content.replace(placeholder, "|")
        return matched

    return table


_DELIMITER_ROW = re.compile(r"[-:|][-:| \t]*")


def _may_be_table(state: StateBlock, start_line: int, end_line: int) -> bool:
    """Cheap test that ``start_line`` could open a table: a pipe, then a delimiter row."""
    if start_line + 2 > end_line:
        return False
    header = state.bMarks[start_line] + state.tShift[start_line]
    below = state.bMarks[start_line + 1] + state.tShift[start_line + 1]
    return "|" in state.src[header : state.eMarks[start_line]] and bool(
        _DELIMITER_ROW.fullmatch(state.src, below, state.eMarks[start_line + 1])
    )


def _unused_char(src: str) -> str:
    """A private-use character absent from ``src``, to stand in for a pipe."""
    return next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in src)


def _pipes_in_math(
    state: StateBlock, start_line: int, end_line: int, dollars: bool, brackets: bool
) -> list[tuple[int, int]]:
    """Positions of the math holding a ``|`` on the lines a table could span."""
    spans = []
    line = start_line
    while line < end_line and not _is_blank(state, line):
        start, stop = state.bMarks[line] + state.tShift[line], state.eMarks[line]
        spans += [
            span
            for span in _math_spans(state.src, start, stop, dollars, brackets)
            if "|" in state.src[span[0] : span[1]]
        ]
        line += 1
    return spans


def _math_spans(
    src: str, pos: int, end: int, dollars: bool, brackets: bool
) -> Iterable[tuple[int, int]]:
    """Positions of the math in one line of text, scanning as the inline rules would.

    Backslash pairs and code spans are skipped, since there a `$` cannot open math.
    """
    while pos < end:
        ch = src[pos]
        found = None
        if ch == "$" and dollars:
            found = _match_dollar(src, pos, end)
        elif ch == "\\" and brackets:
            found = _match_bracket(src, pos, end)
        if found is not None:
            if found.kind is not None:
                yield pos, found.after
            pos = found.after
        elif ch == "\\":
            pos += 2
        elif ch == "`":
            pos = _after_code_span(src, pos, end)
        else:
            pos += 1


def _after_code_span(src: str, pos: int, end: int) -> int:
    """Position after the code span opened by the backtick run at ``pos``.

    If the run is never closed by a run of the same length, it is literal text and
    scanning continues right after it.
    """
    run_end = pos
    while run_end < end and src[run_end] == "`":
        run_end += 1
    size = run_end - pos
    search = run_end
    while (start := src.find("`", search, end)) >= 0:
        stop = start
        while stop < end and src[stop] == "`":
            stop += 1
        if stop - start == size:
            return stop
        search = stop
    return run_end


# Renderers


def _escape(tex: str) -> str:
    # Only what HTML requires in a text node, so the text MathJax reads equals the TeX.
    return tex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _render_inline(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<span class="math inline">\\({_escape(tokens[idx].content)}\\)</span>'


def _render_inline_display(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # A span, because a div may not sit inside a <p>; CSS makes it a block.
    return f'<span class="math display">\\[{_escape(tokens[idx].content)}\\]</span>'


def _render_block(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="math display">\\[{_escape(tokens[idx].content)}\\]</div>\n'


def _render_env(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="math display">{_escape(tokens[idx].content)}</div>\n'
