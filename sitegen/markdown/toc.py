"""Heading anchors and the table of contents, collected while parsing."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from sitegen.document import TocEntry
from sitegen.slugs import make_slug


def heading_ids_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("heading_ids", _heading_ids)


def _heading_ids(state: StateCore) -> None:
    """Give every heading a stable, unique id made from its text (CJK is transliterated)."""
    seen: dict[str, int] = {}
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or token.attrGet("id"):
            continue
        text = "".join(child.content for child in tokens[i + 1].children or [])
        base = make_slug(text) or "section"
        count = seen.get(base, 0)
        seen[base] = count + 1
        token.attrSet("id", base if count == 0 else f"{base}-{count}")


def collect_toc(md: MarkdownIt, tokens: list, env: dict) -> tuple[TocEntry, ...]:
    """Top-level headings h2–h4 as TOC entries; the title keeps inline math as math."""
    headings = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0 and token.tag in ("h2", "h3", "h4"):
            children = tokens[i + 1].children or []
            title = md.renderer.renderInline(children, md.options, env)
            headings.append((int(token.tag[1]), str(token.attrGet("id")), title))
    top = min((level for level, _, _ in headings), default=0)
    return tuple(TocEntry(level, id_, title, level - top + 1) for level, id_, title in headings)
