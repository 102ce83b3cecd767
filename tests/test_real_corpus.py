"""Real posts, span by span: every formula the author wrote is in the built page, unchanged.

The posts are the long, math-dense ones under tests/fixtures/corpus/ and the example blog's.
What each page must show is read from the Markdown source by `SourceScanner` below, a
small line-oriented reader written from the rules in the math contract (the docstring of
sitegen/markdown/math.py and the issue), sharing no code with sitegen's markdown-it rules.
It is simpler than a Markdown parser because the posts keep to a few conventions a writer
keeps anyway:

* list items are indented by their marker's width, quotes have `> ` on every line, and a
  footnote's later lines are indented by four spaces (no lazy continuation lines);
* tables, HTML blocks, footnote definitions and `<!--more-->` stand between blank lines;
* no `$` inside a URL, raw inline HTML or link destination; no indented code blocks.

Within those, the scanner follows the contract, money and code spans included.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup, Tag

from sitegen.build import BuildOptions, build_site
from tests.conftest import NOW, REPO

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
# The example blog's published posts; drafts and future posts are not built.
EXAMPLE_POSTS = (
    "magic-cube-latex-mathjax.md",
    "log-sum-exp.md",
    "diffusion-from-scratch-1.md",
    "diffusion-from-scratch-2.md",
    "adam-bias-correction.md",
    "energy-gan-1.md",
    "energy-gan-2.md",
    "energy-gan-3.md",
    "gamma-and-beta.md",
    "johnson-lindenstrauss-lemma.md",
    "rotary-position-embedding.md",
    "ten-years-of-blogging.md",
    "dirichlet-integral/index.md",
)
ENVIRONMENTS = frozenset(
    name + star
    for name in ("equation", "align", "gather", "multline", "eqnarray", "alignat", "flalign")
    for star in ("", "*")
)

Span = tuple[str, str]  # ("inline" | "display", TeX)

# The source scanner


_QUOTE = re.compile(r" {0,3}> ?")
_ITEM = re.compile(r"([-*+]|\d{1,9}[.)])( +)(?=\S)")
_FOOTNOTE_DEF = re.compile(r"\[\^([^\]\s]+)\]: ?")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_HEADING = re.compile(r"(#{1,6})(?: +|$)")
_FENCE = re.compile(r"(`{3,}|~{3,})")
# CommonMark's HTML block starts: kinds 1–6 may interrupt a paragraph, kind 7 (a lone
# complete tag on its line) may not. Kind 6 is cut down to the names a post would use.
_HTML_INTERRUPTING = re.compile(
    r"<(?:!--|\?|![A-Z]|/?(?:script|pre|style|textarea|aside|blockquote|details|div|dl"
    r"|figure|h[1-6]|hr|ol|p|section|summary|table|ul)(?:[\s/>]|$))",
    re.IGNORECASE,
)
_HTML_BLOCK = re.compile(
    _HTML_INTERRUPTING.pattern + r"|</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>\s*$", re.IGNORECASE
)
_MORE = re.compile(r"<!--\s*more\s*-->")
_RULE = re.compile(r"(?:\*[ ]*){3,}|(?:-[ ]*){3,}|(?:_[ ]*){3,}")
_TABLE_DELIMITER = re.compile(r"\|?[ :]*-+[ :]*(?:\|[ :]*-+[ :]*)*\|?")
_BEGIN = re.compile(r"\\begin\{([^{}\s]+)\}")
_REF = re.compile(r"\\(?:eq)?ref\{[^{}\n]+\}")


@dataclass(frozen=True)
class Line:
    """One source line with its container prefixes (`> `, item indentation) removed."""

    text: str
    box: tuple  # which container the line is in; lines of one paragraph share it
    footnote: str | None  # label, for lines of a footnote definition
    top: bool  # outside every quote, list and footnote
    opens_item: bool = False

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def container_lines(body: str, environments: frozenset[str]) -> list[Line]:
    lines: list[Line] = []
    items: list[tuple[int, int]] = []  # (content column, id) of the open list items
    quote_id, last_depth, footnote, serial = 0, 0, None, 0
    open_math: MathEnd | None = None  # inside display math, a line is TeX, never a list item
    for raw in body.split("\n"):
        rest, depth = raw, 0
        while match := _QUOTE.match(rest):
            rest, depth = rest[match.end() :], depth + 1
        if depth != last_depth:
            quote_id, items = quote_id + 1, []
        last_depth = depth
        if not rest.strip():
            box = (quote_id, footnote, tuple(i for _, i in items))
            lines.append(Line("", box, footnote, not depth and not items and not footnote))
            open_math = None
            continue
        indent = len(rest) - len(rest.lstrip(" "))
        if footnote is not None and indent < 4:
            footnote = None
        while items and indent < items[-1][0]:
            items.pop()
        base = items[-1][0] if items else (4 if footnote else 0)
        text, opens_item = rest[base:], False
        lead = len(text) - len(text.lstrip(" "))
        if open_math is not None:
            if open_math.closes(text, 0):
                open_math = None
        elif not depth and not items and footnote is None and (m := _FOOTNOTE_DEF.match(text)):
            footnote, text = m.group(1), text[m.end() :]
        elif lead <= 3 and not _RULE.fullmatch(text.strip()):
            if item := _ITEM.match(text, lead):
                serial += 1
                items.append((base + item.end(), serial))
                text, opens_item = text[item.end() :], True
            open_math = MathEnd.opened_by(text.lstrip(" "), environments)
        box = (quote_id, footnote, tuple(i for _, i in items))
        top = not depth and not items and footnote is None
        lines.append(Line(text, box, footnote, top, opens_item))
    return lines


class MathEnd:
    """Tracks display math opened at the start of a line until the line holding its closer."""

    def __init__(self, closer: str | None, environment: str = "") -> None:
        self.closer = closer
        self.environment = EnvironmentEnd(environment) if closer is None else None

    @classmethod
    def opened_by(cls, text: str, environments: frozenset[str]) -> MathEnd | None:
        """The open display math that `text` starts and does not close, if any."""
        if text.startswith("$$"):
            tracker, start = cls("$$"), 2
        elif text.startswith("\\["):
            tracker, start = cls("\\]"), 2
        elif (begin := _BEGIN.match(text)) and begin.group(1) in environments:
            tracker, start = cls(None, begin.group(1)), 0
        else:
            return None
        return None if tracker.closes(text, start) else tracker

    def closes(self, text: str, pos: int) -> bool:
        if self.environment is not None:
            return self.environment.find(text, pos) is not None
        return find_closer(text, pos, self.closer) is not None


def find_closer(text: str, pos: int, closer: str) -> int | None:
    """Where `closer` first occurs from `pos`, a backslash always taking the next character."""
    while pos < len(text):
        if text.startswith(closer, pos):
            return pos
        pos += 2 if text[pos] == "\\" else 1
    return None


def after_code_span(text: str, pos: int) -> int:
    """The position after the code span whose backtick run starts at `pos` (or after the run)."""
    run = len(text) - len(text[pos:].lstrip("`"))
    size = run - pos
    for closing in re.finditer(r"`+", text[run:]):
        if len(closing.group(0)) == size:
            return run + closing.end()
    return run


def code_span_over(text: str, start: int, close: int) -> bool:
    """True when a code span opening in text[start:close] runs past `close`."""
    pos = text.find("`", start, close)
    while pos >= 0:
        end = after_code_span(text, pos)
        if end > close and end != len(text) - len(text[pos:].lstrip("`")):
            return True
        pos = text.find("`", end, close)
    return False


def inline_spans(text: str) -> tuple[list[Span], list[str]]:
    """The math of one run of inline text, and the footnotes it refers to."""
    spans: list[Span] = []
    refs: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if text.startswith("$$", pos):
            close = find_closer(text, pos + 2, "$$")
            if close is not None and text[pos + 2 : close].strip():
                spans.append(("display", text[pos + 2 : close]))
                pos = close + 2
            else:
                pos += 2
        elif char == "$":
            close = None
            if pos + 1 < len(text) and not text[pos + 1].isspace():
                close = find_closer(text, pos + 1, "$")
            if (
                close is None
                or text[close - 1].isspace()
                or text[close + 1 : close + 2] in tuple("0123456789")
                or code_span_over(text, pos + 1, close)
            ):
                pos += 1
            else:
                spans.append(("inline", text[pos + 1 : close]))
                pos = close + 1
        elif char == "\\":
            pair = text[pos : pos + 2]
            closer = {"\\(": "\\)", "\\[": "\\]"}.get(pair)
            close = find_closer(text, pos + 2, closer) if closer else None
            if close is not None and text[pos + 2 : close].strip():
                spans.append(("inline" if pair == "\\(" else "display", text[pos + 2 : close]))
                pos = close + 2
            elif ref := _REF.match(text, pos):
                spans.append(("inline", ref.group(0)))
                pos = ref.end()
            else:
                pos += 2
        elif char == "`":
            pos = after_code_span(text, pos)
        elif ref := _FOOTNOTE_REF.match(text, pos):
            refs.append(ref.group(1))
            pos = ref.end()
        else:
            pos += 1
    return spans, refs


@dataclass
class Expected:
    """What a post's page must show, in document order."""

    body: list[Span] = field(default_factory=list)  # the post's own flow
    footnotes: dict[str, list[Span]] = field(default_factory=dict)
    footnote_order: list[str] = field(default_factory=list)
    headings: list[Span] = field(default_factory=list)  # top-level h2–h4, for the TOC
    heading_count: int = 0
    more_cut: int | None = None  # spans before a top-level <!--more-->
    paragraph_cut: int | None = None  # spans up to the end of the first top-level paragraph
    blocks_after_paragraph: bool = False

    @property
    def page(self) -> list[Span]:
        """The body, then the footnotes in the order they are first referred to."""
        notes = [span for label in self.footnote_order for span in self.footnotes.get(label, [])]
        return self.body + notes


class SourceScanner:
    """Reads a Markdown body block by block; see the module docstring for the conventions."""

    def __init__(self, body: str, environments: frozenset[str]) -> None:
        self.lines = container_lines(body, environments)
        self.environments = environments
        self.expected = Expected()

    def scan(self) -> Expected:
        i, lines = 0, self.lines
        while i < len(lines):
            line = lines[i]
            if line.blank:
                i += 1
                continue
            if self.expected.paragraph_cut is not None and line.top:
                self.expected.blocks_after_paragraph = True
            text = line.text.lstrip(" ")
            if fence := _FENCE.match(text):
                i = self._after_fence(i, fence.group(1))
            elif _HTML_BLOCK.match(text):
                if line.top and _MORE.fullmatch(text.strip()) and self.expected.more_cut is None:
                    self.expected.more_cut = len(self.expected.body)
                while i < len(lines) and not lines[i].blank:
                    i += 1
            elif heading := _HEADING.match(text):
                spans = self._inline(line, text[heading.end() :].strip().rstrip("#").strip())
                if line.top:
                    self.expected.heading_count += 1
                    if len(heading.group(1)) in (2, 3, 4):
                        self.expected.headings += spans
                i += 1
            elif text.startswith("|") and self._is_table(i):
                i = self._table(i)
            elif block := self._display_block(i):
                tex, i = block
                self._add(line, [("display", tex)])
            else:
                i = self._paragraph(i)
        return self.expected

    def _add(self, line: Line, spans: list[Span]) -> None:
        if line.footnote is not None:
            self.expected.footnotes.setdefault(line.footnote, []).extend(spans)
        else:
            self.expected.body.extend(spans)

    def _inline(self, line: Line, text: str) -> list[Span]:
        spans, refs = inline_spans(text)
        if line.footnote is None:
            order = self.expected.footnote_order
            order += [label for label in refs if label not in order]
        self._add(line, spans)
        return spans

    def _after_fence(self, i: int, fence: str) -> int:
        box = self.lines[i].box
        i += 1
        while i < len(self.lines) and self.lines[i].box == box:
            if self.lines[i].text.lstrip(" ").startswith(fence):
                return i + 1
            i += 1
        return i

    def _is_table(self, i: int) -> bool:
        below = self.lines[i + 1] if i + 1 < len(self.lines) else None
        return bool(below and _TABLE_DELIMITER.fullmatch(below.text.strip()))

    def _table(self, i: int) -> int:
        box = self.lines[i].box
        rows = [i]
        i += 2
        while i < len(self.lines) and self.lines[i].box == box and not self.lines[i].blank:
            rows.append(i)
            i += 1
        for row in rows:  # math never spans cells, so a row at a time is the same
            self._inline(self.lines[row], self.lines[row].text.strip())
        return i

    def _display_block(self, i: int) -> tuple[str, int] | None:
        """(TeX, next line) when line i opens display math that qualifies as a block."""
        line = self.lines[i]
        text = line.text.lstrip(" ")
        if len(line.text) - len(text) > 3:
            return None
        if text.startswith("$$"):
            closer, pos = "$$", 2
        elif text.startswith("\\["):
            closer, pos = "\\]", 2
        elif (begin := _BEGIN.match(text)) and begin.group(1) in self.environments:
            closer, pos = None, 0
            nesting = EnvironmentEnd(begin.group(1))
        else:
            return None
        parts, j, segment = [], i, text
        while True:
            if closer is None:
                stop = after = nesting.find(segment, pos)
            else:
                stop = find_closer(segment, pos, closer)
                after = None if stop is None else stop + len(closer)
            if stop is not None:
                if segment[after:].strip(" \t"):
                    return None
                tex = "\n".join([*parts, segment[pos:stop]])
                return (tex, j + 1) if tex.strip() else None
            parts.append(segment[pos:])
            j += 1
            if j >= len(self.lines) or self.lines[j].blank or self.lines[j].box != line.box:
                return None
            segment, pos = self.lines[j].text, 0

    def _paragraph(self, i: int) -> int:
        line = self.lines[i]
        j = i + 1
        while (
            j < len(self.lines)
            and self.lines[j].box == line.box
            and not self.lines[j].blank
            and not self.lines[j].opens_item
            and not self._interrupts(j)
        ):
            j += 1
        text = "\n".join(other.text for other in self.lines[i:j]).strip()
        self._inline(line, text)
        if line.top and self.expected.paragraph_cut is None:
            self.expected.paragraph_cut = len(self.expected.body)
        return j

    def _interrupts(self, j: int) -> bool:
        text = self.lines[j].text.lstrip(" ")
        if len(self.lines[j].text) - len(text) > 3:
            return False
        if _FENCE.match(text) or _HEADING.match(text) or _RULE.fullmatch(text.strip()):
            return True
        if _HTML_INTERRUPTING.match(text):
            return True
        return self._display_block(j) is not None


class EnvironmentEnd:
    """Finds the `\\end{NAME}` closing a `\\begin{NAME}`, counting nested ones, line by line."""

    def __init__(self, name: str) -> None:
        self.begin, self.end, self.depth = f"\\begin{{{name}}}", f"\\end{{{name}}}", 0

    def find(self, segment: str, pos: int) -> int | None:
        """The position after the closing `\\end`, if it is in `segment`."""
        while pos < len(segment):
            if segment.startswith(self.begin, pos):
                self.depth += 1
                pos += len(self.begin)
            elif segment.startswith(self.end, pos):
                self.depth -= 1
                pos += len(self.end)
                if self.depth == 0:
                    return pos
            else:
                pos += 2 if segment[pos] == "\\" else 1
        return None


def read_post(path: Path) -> tuple[dict, str]:
    """Front matter (YAML between `---` or TOML between `+++`) and body."""
    text = path.read_text(encoding="utf-8")
    for fence, parse in (("---", yaml.safe_load), ("+++", tomllib.loads)):
        if text.startswith(fence + "\n"):
            end = text.index("\n" + fence + "\n", len(fence))
            return parse(text[len(fence) + 1 : end]), text[end + len(fence) + 2 :]
    return {}, text


def expected_for(path: Path, environments: frozenset[str]) -> Expected:
    _, body = read_post(path)
    return SourceScanner(body, environments).scan()


def expected_excerpt(path: Path, environments: frozenset[str]) -> list[Span]:
    meta, _ = read_post(path)
    if meta.get("summary"):
        return expected_for_text(meta["summary"], environments).page
    expected = expected_for(path, environments)
    if expected.more_cut is not None:
        return expected.body[: expected.more_cut]
    if expected.paragraph_cut is not None and expected.blocks_after_paragraph:
        return expected.body[: expected.paragraph_cut]
    return expected.page


def expected_for_text(text: str, environments: frozenset[str]) -> Expected:
    return SourceScanner(text, environments).scan()


# The built pages


def page_spans(container: Tag | None) -> list[Span]:
    """(kind, TeX) of every .math element under `container`, delimiters removed."""
    assert container is not None
    spans = []
    for element in container.select(".math"):
        classes = element.get("class") or []
        kind = "display" if "display" in classes else "inline"
        text = element.get_text()
        for opener, closer in (("\\(", "\\)"), ("\\[", "\\]")):
            if text.startswith(opener) and text.endswith(closer):
                text = text[len(opener) : -len(closer)]
                break
        spans.append((kind, text.strip()))
    return spans


def normal(spans: list[Span]) -> list[Span]:
    return [(kind, tex.strip()) for kind, tex in spans]


@dataclass(frozen=True)
class BuiltSite:
    root: Path
    output: Path
    environments: frozenset[str]
    posts: dict[str, BeautifulSoup]  # title → post page
    excerpts: dict[str, Tag]  # title → its .entry-excerpt on a home-page list
    feed: dict[str, str]  # title → Atom entry content (HTML)


def build(root: Path, output: Path) -> BuiltSite:
    report = build_site(root, BuildOptions(output=output, now=NOW))
    assert report.errors == []
    config = tomllib.loads((root / "sitegen.toml").read_text(encoding="utf-8"))
    environments = ENVIRONMENTS | frozenset(config.get("math", {}).get("environments", []))
    posts, excerpts = {}, {}
    for page in sorted(output.rglob("index.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        if title := soup.select_one("h1.post-title"):
            posts[title.get_text().strip()] = soup
        if page.parent == output or page.parent.parent.name == "page":
            for entry in soup.select("article.entry"):
                title = entry.select_one("h2.entry-title a").get_text().strip()
                excerpts[title] = entry.select_one(".entry-excerpt")
    parsed = feedparser.parse((output / "atom.xml").read_bytes())
    feed = {entry.title: entry.content[0].value for entry in parsed.entries}
    return BuiltSite(root, output, environments, posts, excerpts, feed)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    # Built from a copy, so the build's state folder stays out of tests/fixtures.
    root = tmp_path_factory.mktemp("corpus") / "site"
    shutil.copytree(CORPUS, root, ignore=shutil.ignore_patterns(".sitegen"))
    return build(root, root.parent / "public")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build(REPO, tmp_path_factory.mktemp("example") / "public")


CORPUS_POSTS = sorted(p.name for p in (CORPUS / "content" / "posts").glob("*.md"))


def check_post(site: BuiltSite, rel: str) -> None:
    path = site.root / "content" / "posts" / rel
    meta, _ = read_post(path)
    title = meta["title"]
    expected = expected_for(path, site.environments)
    assert title in site.posts, f"no page for {rel}"
    soup = site.posts[title]
    assert page_spans(soup.select_one("div.post-body")) == normal(expected.page)
    toc = soup.select_one("nav.toc")
    if expected.heading_count >= 3:
        assert page_spans(toc) == normal(expected.headings)
    excerpt = expected_excerpt(path, site.environments)
    assert page_spans(site.excerpts[title]) == normal(excerpt)
    feed = BeautifulSoup(site.feed[title], "html.parser")
    assert page_spans(feed) == normal(expected.page)


def test_corpus_posts_are_long_and_dense() -> None:
    for rel in CORPUS_POSTS:
        path = CORPUS / "content" / "posts" / rel
        expected = expected_for(path, ENVIRONMENTS | {"CD"})
        assert len(path.read_text(encoding="utf-8").splitlines()) >= 300, rel
        assert len(expected.page) >= 150, rel
    assert len(CORPUS_POSTS) >= 5


@pytest.mark.parametrize("rel", CORPUS_POSTS)
def test_corpus_post_keeps_every_span(corpus: BuiltSite, rel: str) -> None:
    check_post(corpus, rel)


@pytest.mark.parametrize("rel", EXAMPLE_POSTS)
def test_example_post_keeps_every_span(example: BuiltSite, rel: str) -> None:
    check_post(example, rel)
