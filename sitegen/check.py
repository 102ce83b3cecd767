"""The math and content linter: what would break a post's math, found before it is published.

It reads each post with the build's own Markdown parser, so it judges exactly the math the
build will show: the TeX of every math span (braces, environments, ``\\left``/``\\right``,
labels and references) and the text the parser left alone (a ``$``, ``$$``, ``\\(``, ``\\[``
or ``\\begin{…}`` that opened no math). Every finding is a `SiteError` at the file's
``line:col``. Nothing here runs during a normal build: only ``sitegen check`` and
``sitegen build --strict`` call it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from sitegen.config import Config
from sitegen.content import load_document
from sitegen.errors import SiteError
from sitegen.frontmatter import split_front_matter
from sitegen.markdown import MATH_TOKENS, MarkdownOptions, make_parser
from sitegen.markdown.math import in_url
from sitegen.sources import Source, find_sources

# What MathJax 3 (the tex-chtml-full component: base, ams, mathtools, amscd, cases,
# empheq, bussproofs) accepts after \begin; the site's [math] environments join them.
MATHJAX_ENVIRONMENTS = frozenset(
    {
        "array", "equation", "equation*", "eqnarray", "eqnarray*",
        "align", "align*", "aligned", "alignat", "alignat*", "alignedat",
        "gather", "gather*", "gathered", "multline", "multline*", "split",
        "flalign", "flalign*", "xalignat", "xalignat*", "xxalignat", "subarray",
        "matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix",
        "cases", "CD", "numcases", "subnumcases", "empheq", "prooftree",
        "matrix*", "pmatrix*", "bmatrix*", "Bmatrix*", "vmatrix*", "Vmatrix*",
        "smallmatrix*", "psmallmatrix", "psmallmatrix*", "bsmallmatrix", "bsmallmatrix*",
        "Bsmallmatrix", "Bsmallmatrix*", "vsmallmatrix", "vsmallmatrix*",
        "Vsmallmatrix", "Vsmallmatrix*", "cases*", "dcases", "dcases*", "rcases",
        "rcases*", "drcases", "drcases*", "multlined", "lgathered", "rgathered",
        "spreadlines", "crampedsubarray",
    }
)  # fmt: skip

# A TeX token that matters here: a control word or symbol, a comment (MathJax drops the
# rest of the line after an unescaped %), or a brace.
_TEX_TOKEN = re.compile(r"\\([A-Za-z]+|.)|%[^\n]*|[{}]", re.DOTALL)
_CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)", re.DOTALL)
_ARGUMENT = re.compile(r"\s*\{([^{}]*)\}")
# Commands whose arguments are definitions: a \begin or \label there is not used yet.
_DEFINERS = frozenset(
    {
        "newcommand", "renewcommand", "providecommand", "def", "gdef", "edef", "xdef",
        "let", "DeclareMathOperator", "newenvironment", "renewenvironment",
    }
)  # fmt: skip
_NEW_ENVIRONMENT = re.compile(r"\\(?:re)?newenvironment\s*\{([^{}]+)\}")
_TEXT_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{([^{}\s]+)\}")
# After a `$` that opened nothing: TeX a writer would only type in math.
_MATH_LIKE = re.compile(r"\\[A-Za-z]|[\^_]")
# Two English words in a row: prose, which in `$…$` means two prices paired up.
_PROSE = re.compile(r"\b[A-Za-z]{3,} +[A-Za-z]{3,}\b")
_MACRO_DEPTH = 4
_MARKS = "sitegen.check.marks"


@dataclass(frozen=True)
class CheckReport:
    """What `sitegen check` found in a site's sources."""

    files: int
    problems: tuple[SiteError, ...]

    def summary(self) -> str:
        if not self.problems:
            return f"no problems in {_count(self.files, 'file')}"
        files = len({problem.path for problem in self.problems})
        return f"{_count(len(self.problems), 'problem')} in {_count(files, 'file')}"


def check_site(config: Config, options: MarkdownOptions) -> CheckReport:
    """Every problem in every source: its front matter, as the build reads it, and its math."""
    sources = find_sources(config.root)
    problems = [error for source in sources for error in check_source(source, config, options)]
    return CheckReport(len(sources), tuple(problems))


def check_source(source: Source, config: Config, options: MarkdownOptions) -> list[SiteError]:
    """The problems of one source: the one its front matter stops the build at, and its math."""
    try:
        load_document(source, config, options)
    except SiteError as error:
        return [error, *lint_source(source, config, options)]
    return lint_source(source, config, options)


def lint_source(source: Source, config: Config, options: MarkdownOptions) -> list[SiteError]:
    """The math problems of one source; one that cannot be read has none (the build says why)."""
    try:
        text = source.data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        split = split_front_matter(source.rel, text)
    except (UnicodeDecodeError, SiteError):
        return []
    return lint_body(
        source.rel, split.body, options, body_line=split.body_line, macros=config.math.macros
    )


def lint_body(
    path: str,
    body: str,
    options: MarkdownOptions,
    *,
    body_line: int = 1,
    macros: Mapping[str, str | Sequence[object]] | None = None,
) -> list[SiteError]:
    """The math problems of a post's body, at lines counted from ``body_line``."""
    env: dict = {_MARKS: {}}
    tokens = _lint_parser(options).parse(body, env)
    definitions = {name: _definition(value) for name, value in (macros or {}).items()}
    post = _Post(path, body.split("\n"), body_line, definitions)
    _collect(post, tokens, env[_MARKS], options)
    environments = (
        MATHJAX_ENVIRONMENTS
        | set(options.environments)
        | {name for span in post.spans for name in _NEW_ENVIRONMENT.findall(span.tex)}
    )
    problems = [*post.problems]
    for span in post.spans:
        problems += [
            _at(post, span, offset, message, hint)
            for offset, message, hint in _span_problems(span, environments)
        ]
    problems += _reference_problems(post)
    return sorted(problems, key=lambda error: (error.line or 0, error.column or 0))


# The parser: the build's own, with its math rules wrapped to say where each span starts
# and where a delimiter opened nothing. A private copy, so the build's parser stays as is.


@lru_cache(maxsize=8)
def _lint_parser(options: MarkdownOptions) -> MarkdownIt:
    md = make_parser.__wrapped__(options)
    ruler = md.inline.ruler
    for name in ("math_dollar", "math_bracket", "math_ref"):
        if name in ruler.get_all_rules():
            ruler.at(name, _recording(ruler.__rules__[ruler.__find__(name)].fn))
    return md


def _recording(
    rule: Callable[[StateInline, bool], bool],
) -> Callable[[StateInline, bool], bool]:
    """``rule``, marking its math tokens with their offset in the inline text.

    Positions where it made no math are kept in the parse's env, keyed by the text's
    identity: the leftovers among them are delimiters the author meant to open math with.
    """

    def recording(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if silent:
            return matched
        made = [token for token in state.tokens[count:] if token.type in MATH_TOKENS]
        for token in made:
            token.meta["offset"], token.meta["src"] = start, state.src
        if not made:
            state.env[_MARKS].setdefault(id(state.src), set()).add(start)
        return matched

    return recording


# From tokens to spans of TeX, each placed in the file


@dataclass(frozen=True)
class _Place:
    """Where a text the parser made sits in the file: each of its lines' file line and column."""

    starts: tuple[int, ...]
    lines: tuple[int, ...]
    columns: tuple[int, ...]

    def at(self, offset: int) -> tuple[int, int]:
        k = max(bisect_right(self.starts, offset) - 1, 0)
        return self.lines[k], max(self.columns[k] + offset - self.starts[k], 0) + 1


@dataclass(frozen=True)
class _Span:
    """One math span: its TeX and the tokens of it the checks read.

    ``place`` and ``lead`` locate its first TeX character; without a place (math in an
    inline footnote or an image's alt text) only its block's ``line`` is known.
    """

    kind: str
    markup: str
    tex: str
    events: tuple[_Event, ...]
    place: _Place | None
    lead: int
    line: int | None

    def where(self, offset: int) -> tuple[int | None, int | None]:
        """File line and column of the TeX character at ``offset``."""
        return self.place.at(self.lead + offset) if self.place else (self.line, None)


@dataclass
class _Post:
    """A post's body as the linter goes through it."""

    path: str
    lines: list[str]
    first_line: int
    macros: Mapping[str, str]
    spans: list[_Span] = field(default_factory=list)
    problems: list[SiteError] = field(default_factory=list)
    unclosed: dict[str, int] = field(default_factory=dict)

    def add_span(self, token: Token, place: _Place | None, lead: int, line: int | None) -> None:
        events = tuple(_events(token.content, self.macros))
        self.spans.append(_Span(token.type, token.markup, token.content, events, place, lead, line))

    def place(self, text: str, first: int, *, cursor: dict[int, int] | None = None) -> _Place:
        """Place ``text``, whose lines the parser took from body line ``first`` on.

        Each line is found in its source line from the right, past the container's
        prefix (``>``, a list marker); cells of a table row are found left to right.
        """
        starts, lines, columns, offset = [], [], [], 0
        for k, piece in enumerate(text.split("\n")):
            index = min(first + k, len(self.lines) - 1)
            source = self.lines[index]
            if cursor is not None:
                column = _find(source, piece, cursor.get(index, 0), right=False)
                cursor[index] = column + len(piece)
            else:
                column = _find(source, piece, 0, right=True)
            starts.append(offset)
            lines.append(self.first_line + index)
            columns.append(column)
            offset += len(piece) + 1
        return _Place(tuple(starts), tuple(lines), tuple(columns))


def _find(line: str, piece: str, start: int, *, right: bool) -> int:
    found = line.rfind(piece, start) if right else line.find(piece, start)
    if found >= 0:
        return found
    # Indentation given in tabs comes back from markdown-it as spaces.
    stripped = piece.lstrip(" ")
    found = line.find(stripped, start) if stripped else -1
    return found - (len(piece) - len(stripped)) if found >= 0 else len(line) - len(line.lstrip())


def _collect(
    post: _Post, tokens: list[Token], marks: dict[int, set[int]], options: MarkdownOptions
) -> None:
    """Gather the math spans and the delimiters left as text, in document order."""
    cells: dict[int, int] = {}
    for i, token in enumerate(tokens):
        if token.type in ("math_block", "math_env") and token.map:
            text = token.markup + token.content if token.type == "math_block" else token.content
            place = post.place(text, token.map[0])
            lead = len(token.markup) if token.type == "math_block" else 0
            post.add_span(token, place, lead, place.lines[0])
        elif token.type == "inline":
            _collect_inline(post, token, tokens[i - 1] if i else None, cells, marks, options)


def _collect_inline(
    post: _Post,
    token: Token,
    before: Token | None,
    cells: dict[int, int],
    marks: dict[int, set[int]],
    options: MarkdownOptions,
) -> None:
    in_cell = before is not None and before.type in ("th_open", "td_open")
    place = (
        post.place(token.content, token.map[0], cursor=cells if in_cell else None)
        if token.map
        else None
    )
    line = place.lines[0] if place else None
    starts = set()
    for child in _math_children(token.children or []):
        if place is None or child.meta.get("src") is not token.content:
            post.add_span(child, None, 0, line)
            continue
        starts.add(child.meta["offset"])
        lead = 0 if child.markup in ("\\eqref", "\\ref") else len(child.markup)
        post.add_span(child, place, child.meta["offset"] + lead, line)
    if place is not None:
        for offset in sorted(marks.get(id(token.content), set()) - starts):
            found = _leftover(post, token.content, offset, options)
            if found is not None:
                line_number, column = place.at(offset)
                post.problems.append(SiteError(post.path, line_number, *found, column))


def _math_children(children: list[Token]) -> Iterator[Token]:
    for child in children:
        if child.type in MATH_TOKENS:
            yield child
        elif child.children:  # an image's alt text
            yield from _math_children(child.children)


def _leftover(
    post: _Post, text: str, offset: int, options: MarkdownOptions
) -> tuple[str, str] | None:
    """The problem with a delimiter at ``offset`` that opened no math, if it is one."""
    if text.startswith("$", offset) and not options.dollars:
        return None
    if text.startswith("$$", offset):
        if text.find("$$", offset + 2) >= 0:
            return "`$$…$$` with nothing inside is not math", "put TeX between them"
        return "unclosed `$$`", "close the display with `$$`, or write `\\$\\$` for dollars"
    if text.startswith("$", offset):
        return _lone_dollar(text, offset)
    opener = text[offset : offset + 2]
    if options.brackets and opener in ("\\(", "\\["):
        closer = "\\)" if opener == "\\(" else "\\]"
        if text.find(closer, offset + 2) < 0:
            return f"unclosed `{opener}`", f"close the math with `{closer}`"
        return None
    environment = _TEXT_ENVIRONMENT.match(text, offset)
    if environment is None:
        return None
    which, name = environment.groups()
    if which == "end":
        if post.unclosed.get(name):
            post.unclosed[name] -= 1  # the end of a \begin reported already
            return None
        return (
            f"`\\end{{{name}}}` without `\\begin{{{name}}}`",
            f"remove it, or open the environment with `\\begin{{{name}}}`",
        )
    post.unclosed[name] = post.unclosed.get(name, 0) + 1
    if name not in MATHJAX_ENVIRONMENTS and name not in options.environments:
        return (
            f"unknown environment `{name}`",
            "MathJax has no such environment: write lists and theorems in Markdown,"
            " or put LaTeX source in a code span",
        )
    if name in options.environments:
        return (
            f"`\\begin{{{name}}}` is not closed, so it is not math",
            f"end it with `\\end{{{name}}}` at the end of a line, with no blank line inside",
        )
    return (
        f"`\\begin{{{name}}}` outside math",
        f'put it inside `$$…$$`, or add "{name}" to [math] environments in sitegen.toml',
    )


def _lone_dollar(text: str, offset: int) -> tuple[str, str] | None:
    """A `$` that opened nothing but is followed by TeX: math whose closer went wrong."""
    after = text[offset + 1 : offset + 41].split("\n", 1)[0].split("$", 1)[0]
    if not after[:1].strip() or not _MATH_LIKE.search(after):
        return None  # `$ 5`, `$5 and $6`: money
    if in_url(text, offset):  # the parser's own rule: such a `$` is part of the URL
        return None
    if text.find("$", offset + 1) < 0:
        return "unclosed `$`", "close the math with `$`, or write `\\$` for a literal dollar"
    return (
        "`$` opens no math: the next `$` follows a space or comes before a digit",
        "write `$x$` with no space just inside the dollars, or `\\$` for a literal dollar",
    )


def _at(post: _Post, span: _Span, offset: int, message: str, hint: str) -> SiteError:
    line, column = span.where(offset)
    return SiteError(post.path, line, message, hint, column)


# TeX


class _Event(NamedTuple):
    """A TeX token the checks look at: a brace, \\begin/\\end, \\left/\\right, a label."""

    kind: str
    name: str
    offset: int


def _definition(value: str | Sequence[object]) -> str:
    """The TeX of a `[math] macros` entry: a string, or [definition, argument count]."""
    return value if isinstance(value, str) else str(value[0]) if value else ""


def _events(tex: str, macros: Mapping[str, str], depth: int = 0) -> Iterator[_Event]:
    """The tokens of ``tex`` the checks need; a site macro stands for its definition's."""
    definition_end = -1
    for found in _TEX_TOKEN.finditer(tex):
        text, start, name = found.group(0), found.start(), found.group(1)
        if text in ("{", "}"):
            yield _Event(text, "", start)
        elif name is None or start < definition_end:
            continue
        elif name in _DEFINERS:
            definition_end = _definition_end(tex, found.end())
        elif name in ("begin", "end", "label", "ref", "eqref"):
            argument = _ARGUMENT.match(tex, found.end())
            if argument is not None:
                yield _Event(name, argument.group(1).strip(), start)
        elif name in ("left", "right"):
            yield _Event(name, "", start)
        elif name in macros and depth < _MACRO_DEPTH:
            for event in _events(macros[name], macros, depth + 1):
                if event.kind not in ("{", "}"):
                    yield event._replace(offset=start)


def _definition_end(tex: str, pos: int) -> int:
    """Where the arguments of a \\newcommand-like command end (name, [n], [default], body)."""
    while pos < len(tex):
        while pos < len(tex) and tex[pos].isspace():
            pos += 1
        if tex.startswith("{", pos):
            pos = _group_end(tex, pos)
        elif tex.startswith("[", pos):
            close = tex.find("]", pos)
            pos = close + 1 if close >= 0 else len(tex)
        elif tex.startswith("\\", pos):
            name = _CONTROL.match(tex, pos)
            pos = name.end() if name else pos + 1
        elif tex.startswith(("#", "*"), pos):
            pos += 2 if tex[pos] == "#" else 1
        else:
            break
    return pos


def _group_end(tex: str, pos: int) -> int:
    depth = 0
    for found in _TEX_TOKEN.finditer(tex, pos):
        if found.group(0) == "{":
            depth += 1
        elif found.group(0) == "}":
            depth -= 1
            if depth == 0:
                return found.end()
    return len(tex)


def _span_problems(
    span: _Span, environments: frozenset[str] | set[str]
) -> list[tuple[int, str, str]]:
    """(TeX offset, message, hint) for each problem inside one span."""
    events = span.events
    problems = [
        problem
        for problem in (_pairing_problem(events, pair) for pair in _PAIRS)
        if problem is not None
    ]
    problems += [
        (
            event.offset,
            f"unknown environment `{event.name}`",
            "MathJax knows equation, align, gather, multline, cases, pmatrix, array, …;"
            " name other display environments in [math] environments",
        )
        for event in events
        if event.kind == "begin" and event.name not in environments
    ]
    if span.kind == "math_inline" and span.markup == "$" and _looks_like_money(span.tex):
        problems.append((-1, "looks like money, not math", "write \\$ for a literal dollar"))
    return sorted(problems)


class _Pair(NamedTuple):
    """Events that must pair up in one formula, and what to say when one is alone."""

    opener: str
    closer: str
    stray: Callable[[str], tuple[str, str]]
    unclosed: Callable[[str], tuple[str, str]]


_PAIRS = (
    _Pair(
        "{",
        "}",
        lambda _: (
            "unbalanced braces: this `}` closes nothing",
            "remove it or add its `{`; write `\\}` for a brace that shows",
        ),
        lambda _: (
            "unbalanced braces: this `{` is never closed",
            "add its `}`; write `\\{` for a brace that shows",
        ),
    ),
    _Pair(
        "begin",
        "end",
        lambda name: (
            f"`\\end{{{name}}}` without `\\begin{{{name}}}`",
            "remove it, or add the `\\begin` it ends",
        ),
        lambda name: (
            f"`\\begin{{{name}}}` without `\\end{{{name}}}`",
            f"add `\\end{{{name}}}` before the math ends",
        ),
    ),
    _Pair(
        "left",
        "right",
        lambda _: (
            "`\\right` without `\\left`",
            "add the `\\left` it closes, or use `\\big)`-style sizes for a lone delimiter",
        ),
        lambda _: (
            "`\\left` without `\\right`",
            "close it with `\\right)` (or `\\right.` for no delimiter) in the same formula",
        ),
    ),
)


def _pairing_problem(events: tuple[_Event, ...], pair: _Pair) -> tuple[int, str, str] | None:
    """The first ``pair`` event left alone: as TeX reads them, innermost pairs first."""
    opened: list[_Event] = []
    for event in events:
        if event.kind == pair.opener:
            opened.append(event)
        elif event.kind == pair.closer:
            if not opened:
                return (event.offset, *pair.stray(event.name))
            begin = opened.pop()
            if begin.name != event.name:  # only environments have names
                return (
                    event.offset,
                    f"`\\begin{{{begin.name}}}` closed by `\\end{{{event.name}}}`",
                    f"end it with `\\end{{{begin.name}}}`",
                )
    if opened:
        return (opened[-1].offset, *pair.unclosed(opened[-1].name))
    return None


def _looks_like_money(tex: str) -> bool:
    return "\\" not in tex and "^" not in tex and "_" not in tex and _PROSE.search(tex) is not None


def _reference_problems(post: _Post) -> list[SiteError]:
    """A \\label used twice, and a \\ref or \\eqref to a label this post does not define."""
    problems, labels = [], {}
    for span in post.spans:
        for event in span.events:
            if event.kind != "label":
                continue
            if event.name in labels:
                first = labels[event.name]
                problems.append(
                    _at(
                        post,
                        span,
                        event.offset,
                        f"`\\label{{{event.name}}}` is used twice in this post"
                        + (f" (first on line {first})" if first else ""),
                        "give each equation its own label",
                    )
                )
            else:
                labels[event.name] = span.where(event.offset)[0]
    for span in post.spans:
        for event in span.events:
            if event.kind in ("ref", "eqref") and event.name not in labels:
                problems.append(
                    _at(
                        post,
                        span,
                        event.offset,
                        f"`\\{event.kind}{{{event.name}}}` refers to no `\\label{{{event.name}}}`"
                        " in this post",
                        "check the spelling; labels are per page, as MathJax numbers them",
                    )
                )
    return problems


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
