"""A post or page as read, and what a build publishes: the data every later stage shares.

Kept apart from `content` (which reads and parses sources) so that the stages after parsing,
and the child compiling the theme (`precompile`), need not import the Markdown machinery.
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sitegen.fastpickle import pickled_by_fields

if TYPE_CHECKING:
    from sitegen.frontmatter import Meta


@dataclass(frozen=True)
class TermLink:
    """A category, tag or series as a post names it, with the URL of its page."""

    name: str
    slug: str
    url: str

    def __reduce__(self) -> tuple:
        """One string, unpickled to one object per term and process: the 50,000 term links
        of 10,000 cached posts were 40 % of unpickling them, as three strings and an object
        each."""
        fields = (self.name, self.slug, self.url)
        if any("\0" in field for field in fields):
            return (TermLink, fields)
        return (_term_link, ("\0".join(fields),))


_TERM_LINKS: dict[str, TermLink] = {}


def _term_link(joined: str) -> TermLink:
    link = _TERM_LINKS.get(joined)
    if link is None:
        link = _TERM_LINKS[joined] = TermLink(*joined.split("\0"))
    return link


@pickled_by_fields
@dataclass(frozen=True)
class TocEntry:
    """A heading of a post's table of contents. Defined here, not with the Markdown stage
    that collects them: a process that unpickles a body must not import markdown-it (the
    rebuild after a body edit did, to check the edited post's page: 0.05-0.08 s)."""

    level: int
    id: str
    title_html: str
    depth: int  # how deep it nests in its TOC: 1 for the shallowest level there


class Body:
    """A document's body HTML, TOC and search text: what only its own page (and the feeds
    and the search index) reads, and most of its bytes. It is pickled apart and unpickled
    when first read, so a rebuild that renders a few pages does not decode the 64 MB of
    HTML of 10,000 cached posts (0.1 s), and a first build decodes each in the render
    worker that shows it, not in the process that gathers them all."""

    __slots__ = ("_digest", "_parts", "_pickled")

    def __init__(self, html: str, toc: tuple[TocEntry, ...], text: str) -> None:
        self._parts: tuple[str, tuple[TocEntry, ...], str] | None = (html, toc, text)
        self._pickled: bytes | None = None
        self._digest: str | None = None

    @property
    def parts(self) -> tuple[str, tuple[TocEntry, ...], str]:
        if self._parts is None:
            pickled = self._pickled  # None if another thread has just unpickled it
            if pickled is not None:
                self._parts = pickle.loads(pickled)
                self._pickled = None  # kept once only
        return self._parts  # type: ignore[return-value]

    @property
    def digest(self) -> str:
        """Of the bytes it is pickled as, so what a page shows of a body is fingerprinted
        without reading the HTML through (see `depends.PARTS`). Equal digests are equal
        bodies; an equal body pickled otherwise only costs its page being rendered again."""
        if self._digest is None:
            pickled = self._pickled
            if pickled is None:  # made in this process: kept, to be pickled once for both
                pickled = self._pickled = pickle.dumps(self.parts, pickle.HIGHEST_PROTOCOL)
            self._digest = _digest_of(pickled)
        return self._digest

    def __reduce__(self) -> tuple:
        pickled = self._pickled or pickle.dumps(self.parts, pickle.HIGHEST_PROTOCOL)
        return (_pickled_body, (pickled,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Body) and self.parts == other.parts

    def __repr__(self) -> str:  # as templates may show it: the same for the same body
        return f"Body{self.parts!r}"


def _pickled_body(pickled: bytes) -> Body:
    body = Body.__new__(Body)
    body._parts, body._pickled, body._digest = None, pickled, None
    return body


def _digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


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
    body: Body
    excerpt_html: str
    has_more: bool
    excerpt_has_math: bool  # a list page showing the excerpt needs MathJax
    extra: dict[str, Any] = field(default_factory=dict)
    assets: tuple[tuple[str, str], ...] = ()
    slug_line: int | None = None  # where `slug:` is written, for URL clash messages
    rendered: bool = True  # False: not published by the build that read it, body left out

    @property
    def body_html(self) -> str:
        return self.body.parts[0]

    @property
    def toc(self) -> tuple[TocEntry, ...]:
        return self.body.parts[1]

    @property
    def text(self) -> str:
        """The body as plain text, math as TeX, when the search index is on (else "")."""
        return self.body.parts[2]


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
