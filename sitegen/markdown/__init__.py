"""The Markdown stage: one configured markdown-it parser, and a post body → HTML, excerpt, TOC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from sitegen.markdown.dispatch import dispatch_block_rules
from sitegen.markdown.figures import figures_plugin
from sitegen.markdown.highlight import PLAIN_CODE, highlight_plugin
from sitegen.markdown.inline_shortcuts import inline_shortcuts
from sitegen.markdown.links import links_plugin
from sitegen.markdown.math import DEFAULT_ENVIRONMENTS, math_plugin
from sitegen.markdown.renderer import Renderer
from sitegen.markdown.toc import TocEntry, collect_toc, heading_ids_plugin
from sitegen.plaintext import plain_text

MATH_TOKENS = frozenset({"math_inline", "math_inline_display", "math_block", "math_env"})
MORE_MARKER = re.compile(r"<!--\s*more\s*-->")


@dataclass(frozen=True)
class MarkdownOptions:
    """Everything that changes the HTML of a body; hashable, so parsers can be shared."""

    dollars: bool = True
    brackets: bool = True
    environments: tuple[str, ...] = DEFAULT_ENVIRONMENTS
    line_numbers: bool = False
    excerpt: str = "paragraph"
    toc_min_headings: int = 3


@dataclass(frozen=True)
class RenderedBody:
    html: str
    excerpt_html: str
    has_more: bool
    toc: tuple[TocEntry, ...]
    has_math: bool
    text: str  # plain text for the search index, when asked for (else "")


@lru_cache(maxsize=8)
def make_parser(options: MarkdownOptions) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}, renderer_cls=Renderer)
    md.enable(["table", "strikethrough"])
    md.core.ruler.at("normalize", normalize)
    math_plugin(
        md,
        dollars=options.dollars,
        brackets=options.brackets,
        environments=options.environments,
    )
    footnote_plugin(md)
    highlight_plugin(md, line_numbers=options.line_numbers)
    figures_plugin(md)
    heading_ids_plugin(md)
    links_plugin(md)
    dispatch_block_rules(md)
    inline_shortcuts(md)
    return md


def normalize(state: StateCore) -> None:
    """markdown-it's first core rule, with the same result: it ran two regex substitutions
    over every body, 19 µs a post, though a body rarely holds a CR (sources are decoded with
    their newlines normalised) or a NUL."""
    src = state.src
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src


def render_markdown(
    text: str, options: MarkdownOptions, *, page_url: str, base_path: str, search: bool = False
) -> RenderedBody:
    """Render a body once and cut the excerpt from the same tokens, so both agree.

    With `search`, also the body's plain text (sitegen.plaintext), read from the same tokens
    rendered with code left unhighlighted: the same text, without the hundreds of Pygments
    spans that made reading it back cost as much as the Markdown."""
    md = make_parser(options)
    env = {"page_url": page_url, "base_path": base_path}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    plain = ""
    if search:
        plain = plain_text(md.renderer.render(tokens, md.options, {**env, PLAIN_CODE: True}))
    cut = _excerpt_end(tokens, options.excerpt)
    if cut is None or cut >= _content_end(tokens):
        excerpt_html, has_more = html, False
    else:
        excerpt_html, has_more = md.renderer.render(tokens[:cut], md.options, env), True
    toc = collect_toc(md, tokens, env)
    if len(toc) < options.toc_min_headings:
        toc = ()
    return RenderedBody(html, excerpt_html, has_more, toc, has_math(tokens), plain)


def has_math(tokens: list[Token]) -> bool:
    return any(
        token.type in MATH_TOKENS or (token.children and has_math(token.children))
        for token in tokens
    )


def _excerpt_end(tokens: list[Token], mode: str) -> int | None:
    """The index of the first token after the excerpt, or None when there is none."""
    for i, token in enumerate(tokens):
        if (
            token.type == "html_block"
            and token.level == 0
            and MORE_MARKER.fullmatch(token.content.strip())
        ):
            return i
    if mode == "paragraph":
        for i, token in enumerate(tokens):
            if token.type == "paragraph_close" and token.level == 0:
                return i + 1
    return None


def _content_end(tokens: list[Token]) -> int:
    """Where the body proper ends: footnotes appended at the end do not count."""
    for i, token in enumerate(tokens):
        if token.type == "footnote_block_open":
            return i
    return len(tokens)
