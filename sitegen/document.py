"""A post or page as read, and what a build publishes: the data every later stage shares.

Kept apart from `content` (which reads and parses sources) so that the stages after parsing,
and the child compiling the theme (`precompile`), need not import the Markdown machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sitegen.fastpickle import pickled_by_fields

if TYPE_CHECKING:
    from sitegen.frontmatter import Meta
    from sitegen.markdown.toc import TocEntry


@pickled_by_fields
@dataclass(frozen=True)
class TermLink:
    """A category, tag or series as a post names it, with the URL of its page."""

    name: str
    slug: str
    url: str


@pickled_by_fields
@dataclass(frozen=True)
class Document:
    """A post or page, complete by itself: it knows nothing about other documents."""

    source: str
    kind: str
    title: str
    slug: str
    date: datetime | None
    updated: datetime | None
    site_path: str
    url: str
    categories: tuple[TermLink, ...]
    tags: tuple[TermLink, ...]
    series: TermLink | None
    series_index: int | None
    summary: str
    draft: bool
    has_math: bool
    body_html: str
    excerpt_html: str
    has_more: bool
    excerpt_has_math: bool  # a list page showing the excerpt needs MathJax
    text: str  # the body as plain text, math as TeX, when the search index is on (else "")
    toc: tuple[TocEntry, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    assets: tuple[tuple[str, str], ...] = ()
    slug_line: int | None = None  # where `slug:` is written, for URL clash messages
    rendered: bool = True  # False: not published by the build that read it, body left out


class Withheld(NamedTuple):
    """Of a document parsed without its body: what decides whether a build publishes it."""

    draft: bool
    date: datetime | None


@dataclass(frozen=True)
class Publishing:
    """What a build publishes: drafts and future posts only when asked."""

    drafts: bool = False
    future: bool = False
    now: datetime | None = None

    def publishes(self, doc: Document | Meta | Withheld) -> bool:
        if doc.draft and not self.drafts:
            return False
        future = doc.date is not None and self.now is not None and doc.date > self.now
        return self.future or not future
