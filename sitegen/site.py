"""Assemble the `Site`: which documents are published, their order, taxonomies, series, archives."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sitegen.config import Config
from sitegen.document import Document, Publishing, TermLink
from sitegen.errors import SiteError


@dataclass(frozen=True)
class Term:
    """A category or tag page: every post filed under it, newest first."""

    name: str
    slug: str
    url: str
    posts: tuple[Document, ...]

    @property
    def count(self) -> int:
        return len(self.posts)


@dataclass(frozen=True)
class Series(Term):
    """A multi-part series: like a term, but its posts are in series order."""


@dataclass(frozen=True)
class ArchiveMonth:
    year: int
    month: int
    posts: tuple[Document, ...]

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def date(self) -> date:
        return date(self.year, self.month, 1)


@dataclass(frozen=True)
class ArchiveYear:
    year: int
    months: tuple[ArchiveMonth, ...]

    @property
    def count(self) -> int:
        return sum(month.count for month in self.months)


@dataclass(frozen=True)
class Site:
    """Everything that relates documents to each other; templates see it as `site`."""

    config: Config
    posts: tuple[Document, ...]
    pages: tuple[Document, ...]
    categories: tuple[Term, ...]
    tags: tuple[Term, ...]
    series: tuple[Series, ...]
    archives: tuple[ArchiveYear, ...]
    _neighbours: dict[str, tuple[Document | None, Document | None]] = field(repr=False)

    title = property(lambda self: self.config.site.title)
    description = property(lambda self: self.config.site.description)
    author = property(lambda self: self.config.site.author)
    language = property(lambda self: self.config.site.language)
    base_url = property(lambda self: self.config.site.base_url)
    license_name = property(lambda self: self.config.site.license_name)
    license_url = property(lambda self: self.config.site.license_url)

    def newer_and_older(self, post: Document) -> tuple[Document | None, Document | None]:
        return self._neighbours[post.source]

    def series_of(self, post: Document) -> Series | None:
        if post.series is None:
            return None
        return next(s for s in self.series if s.slug == post.series.slug)


# First URL segments that generated pages own; a document may not take them.
RESERVED = frozenset(
    {"page", "archives", "categories", "tags", "series", "404.html", "index.html"}
    | {"atom.xml", "rss.xml", "sitemap.xml", "robots.txt"}
    # Reserved even with `[build] search` off, so turning it on never takes a post's URL.
    | {"search", "search.json"}
)


def unique_urls(documents: list[Document]) -> tuple[list[Document], list[SiteError]]:
    """Leave out every document whose URL another one, or a generated page, already has.

    Left in, it would be listed on the index and in feeds while its page showed
    the other document.
    """
    kept: dict[str, Document] = {}
    errors = []
    for doc in sorted(documents, key=lambda d: d.source):
        hint = "give it another `slug:`" if doc.slug_line else "rename the file or add `slug:`"
        first = doc.site_path.split("/", 1)[0]
        if first in RESERVED:
            message = f"its URL /{doc.site_path} belongs to the generated /{first} page"
        elif doc.site_path in kept:
            message = f"has the same URL /{doc.site_path} as {kept[doc.site_path].source}"
        else:
            kept[doc.site_path] = doc
            continue
        errors.append(SiteError(doc.source, doc.slug_line or 1, message, hint))
    return [doc for doc in documents if kept.get(doc.site_path) is doc], errors


def assemble_site(config: Config, documents: list[Document], publishing: Publishing) -> Site:
    """A pure function of the documents: cheap to redo after any edit."""
    published = [doc for doc in documents if publishing.publishes(doc)]
    posts = sorted(
        (doc for doc in published if doc.kind == "post"), key=lambda d: (d.date, d.source)
    )
    posts.reverse()  # newest first; ties broken by path so the order never depends on the disk
    pages = sorted((doc for doc in published if doc.kind == "page"), key=lambda d: d.title)
    neighbours = {
        post.source: (
            posts[i - 1] if i > 0 else None,
            posts[i + 1] if i + 1 < len(posts) else None,
        )
        for i, post in enumerate(posts)
    }
    return Site(
        config=config,
        posts=tuple(posts),
        pages=tuple(pages),
        categories=_terms(posts, lambda p: p.categories),
        tags=_terms(posts, lambda p: p.tags),
        series=_series(posts),
        archives=_archives(posts),
        _neighbours=neighbours,
    )


def _terms(posts: list[Document], links_of) -> tuple[Term, ...]:
    """Group posts by term slug, so `GAN` and `gan` share one page, named as most posts spell it."""
    grouped: dict[str, list[Document]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    first: dict[str, TermLink] = {}
    for post in posts:
        for term in links_of(post):
            grouped[term.slug].append(post)
            spellings[term.slug][term.name] += 1
            first.setdefault(term.slug, term)
    terms = []
    for slug, members in grouped.items():
        counts = spellings[slug]
        name = min(counts, key=lambda n: (-counts[n], n))
        terms.append(Term(name, slug, first[slug].url, tuple(members)))
    return tuple(sorted(terms, key=lambda t: (t.name.casefold(), t.slug)))


def _series(posts: list[Document]) -> tuple[Series, ...]:
    grouped: dict[str, list[Document]] = defaultdict(list)
    for post in posts:
        if post.series is not None:
            grouped[post.series.slug].append(post)
    result = []
    for members in grouped.values():
        ordered = sorted(
            members,
            key=lambda p: (p.series_index is None, p.series_index or 0, p.date, p.source),
        )
        link = ordered[0].series
        result.append(Series(link.name, link.slug, link.url, tuple(ordered)))
    return tuple(sorted(result, key=lambda s: (-s.posts[-1].date.timestamp(), s.slug)))


def _archives(posts: list[Document]) -> tuple[ArchiveYear, ...]:
    months: dict[tuple[int, int], list[Document]] = defaultdict(list)
    for post in posts:
        months[(post.date.year, post.date.month)].append(post)
    years: dict[int, list[ArchiveMonth]] = defaultdict(list)
    for (year, month), members in sorted(months.items(), reverse=True):
        years[year].append(ArchiveMonth(year, month, tuple(members)))
    return tuple(ArchiveYear(year, tuple(ms)) for year, ms in sorted(years.items(), reverse=True))
