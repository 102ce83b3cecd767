"""The list of HTML outputs: one `Route` per file, with the template and data it shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sitegen.document import Document
from sitegen.search import SEARCH_INDEX
from sitegen.site import Site
from sitegen.urls import link, output_path


@dataclass(frozen=True)
class Paginator:
    number: int
    total: int
    prev_url: str | None
    next_url: str | None
    # The page links a pagination bar shows, None where numbers are left out: the first,
    # the last, and two on each side of this one. All of them would make a blog with a
    # thousand index pages a million links to render.
    pages: tuple[tuple[int, str] | None, ...]


@dataclass(frozen=True)
class Route:
    """One page of the site: where it goes, which template shows it, and with what data."""

    site_path: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    has_math: bool = False

    @property
    def output_path(self) -> str:
        return output_path(self.site_path)


def site_routes(site: Site) -> list[Route]:
    """Every HTML page; documents' URLs are unique already (`site.unique_urls`)."""
    routes: list[Route] = []
    routes += _paginated("", "list.html", site.posts, site, {"term": None, "kind": "home"})
    for post in site.posts:
        newer, older = site.newer_and_older(post)
        series = site.series_of(post)
        routes.append(
            Route(
                post.site_path,
                "post.html",
                {
                    "post": post,
                    "newer": newer,
                    "older": older,
                    "series": series,
                    "series_prev": _step(series.posts, post, -1) if series else None,
                    "series_next": _step(series.posts, post, +1) if series else None,
                },
                post.has_math,
            )
        )
    for page in site.pages:
        routes.append(Route(page.site_path, "page.html", {"page": page}, page.has_math))
    routes.append(Route("archives/", "archives.html", {"years": site.archives}))
    for kind, folder, terms in (
        ("category", "categories", site.categories),
        ("tag", "tags", site.tags),
    ):
        routes.append(Route(f"{folder}/", "terms.html", {"kind": kind, "terms": terms}))
        for term in terms:
            routes += _paginated(
                f"{folder}/{term.slug}/",
                "list.html",
                term.posts,
                site,
                {"term": term, "kind": kind},
            )
    routes.append(Route("series/", "series_list.html", {"all_series": site.series}))
    for series in site.series:
        routes.append(Route(f"series/{series.slug}/", "series.html", {"series": series}))
    if site.config.build.search:
        routes.append(Route("search/", "search.html", {"index_path": SEARCH_INDEX}))
    routes.append(Route("404.html", "404.html", {}))
    return routes


def _paginated(
    base: str, template: str, posts: Sequence[Document], site: Site, extra: dict[str, Any]
) -> list[Route]:
    """Pages of `posts_per_page`; an empty list still gets its first page."""
    size = site.config.build.posts_per_page
    total = max(1, -(-len(posts) // size))
    paths = [base] + [f"{base}page/{n}/" for n in range(2, total + 1)]
    urls = [link(site.config.base_path, path) for path in paths]
    routes = []
    for number in range(1, total + 1):
        chunk = tuple(posts[(number - 1) * size : number * size])
        paginator = Paginator(
            number=number,
            total=total,
            prev_url=urls[number - 2] if number > 1 else None,
            next_url=urls[number] if number < total else None,
            pages=_page_links(number, urls),
        )
        context = {"posts": chunk, "paginator": paginator, **extra}
        has_math = any(post.excerpt_has_math for post in chunk)
        routes.append(Route(paths[number - 1], template, context, has_math))
    return routes


def _page_links(number: int, urls: list[str]) -> tuple[tuple[int, str] | None, ...]:
    total = len(urls)
    near = range(max(1, number - 3), min(total, number + 3) + 1)
    links: list[tuple[int, str] | None] = []
    for other in sorted({1, total, *near}):
        distance = abs(other - number)
        if other in (1, total) or distance <= 2:
            links.append((other, urls[other - 1]))
        elif distance == 3:
            links.append(None)
    return tuple(links)


def _step(posts: tuple[Document, ...], post: Document, offset: int) -> Document | None:
    index = posts.index(post) + offset
    return posts[index] if 0 <= index < len(posts) else None
