"""An image alone in its paragraph becomes a <figure> with a caption."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# `![alt](src "title")` alone in a paragraph: the title is the quoted text before the `)`.
RAW_TITLE = re.compile(r"""\s(["'(])(.*)["')]\)\s*$""", re.DOTALL)
EMPHASIS = {"em_open": "em_close", "strong_open": "strong_close"}


def figures_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("figures", _figures)


def _figures(state: StateCore) -> None:
    tokens = state.tokens
    i = 0
    while i + 2 < len(tokens):
        opening, inline = tokens[i], tokens[i + 1]
        caption = None
        if opening.type == "paragraph_open" and inline.type == "inline" and "![" in inline.content:
            caption = _caption(state, inline.children or [], inline.content)
        if caption is None:
            i += 1
            continue
        image = inline.children[0]
        figure = _wrap("figure", opening)
        image_line = Token(
            "inline", "", 0, children=[image], map=inline.map, content=inline.content
        )
        new = [figure[0], image_line]
        if caption:
            cap = _wrap("figcaption", opening)
            text = Token("inline", "", 0, children=caption, map=inline.map, content=inline.content)
            new += [cap[0], text, cap[1]]
        new.append(figure[1])
        tokens[i : i + 3] = new
        i += len(new)


def _caption(state: StateCore, children: list[Token], source: str) -> list[Token] | None:
    """The caption's tokens if this paragraph is a figure ([] for none), else None.

    A figure is one image, alone, or followed on the next line by a caption
    written wholly in emphasis (`*图 1：…*`), as our users' posts do.
    """
    items = [t for t in children if not (t.type == "text" and not t.content.strip())]
    if not items or items[0].type != "image":
        return None
    image = items[0]
    rest = items[1:]
    if not rest:
        title = _raw_title(source) or image.attrGet("title")
        if title:  # parsed as Markdown, so math in a caption is math
            return state.md.parseInline(str(title), state.env)[0].children or []
        return list(image.children or [])
    if rest[0].type not in ("softbreak", "hardbreak") or len(rest) < 3:
        return None
    first, last = rest[1], rest[-1]
    if EMPHASIS.get(first.type) != last.type or _closes_early(rest[1:]):
        return None
    return rest[2:-1]


def _raw_title(source: str) -> str | None:
    """The title as typed: Markdown has already unescaped the attribute (`\\|` → `|`),
    which would change the TeX of a caption such as `"$\\|x\\|$"`."""
    match = RAW_TITLE.search(source)
    return match.group(2) if match else None


def _closes_early(run: list[Token]) -> bool:
    """True when the emphasis that opens the run closes before its end (`*a* b *c*`)."""
    depth = 0
    for position, token in enumerate(run):
        depth += token.nesting
        if depth == 0 and position < len(run) - 1:
            return True
    return False


def _wrap(tag: str, like: Token) -> tuple[Token, Token]:
    opening = Token(f"{tag}_open", tag, 1, map=like.map, block=True)
    closing = Token(f"{tag}_close", tag, -1, block=True)
    return opening, closing
