"""The one place that turns site paths into links and output files."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit


def link(base_path: str, path: str) -> str:
    """An internal link: `path` is relative to the site root ("tags/", "css/site.css")."""
    return base_path + quote(path.lstrip("/"), safe="/#?=&%~")


def absolute(base_url: str, href: str) -> str:
    """An absolute URL for feeds and sitemaps; `href` is a link from `link()`.

    As urljoin, which is the base's origin and the link for a root-relative link with no
    dot segment, doubled slash, query, fragment, parameters, tab or newline (all that
    `link()` makes for a page): joined here without it (4 µs of every page, sitemap entry
    and feed item)."""
    if href[:1] == "/" and not _NOT_PLAIN.search(href) and (origin := _origin(base_url)):
        return origin + href
    return urljoin(base_url, href)


_NOT_PLAIN = re.compile(r"//|/\.|[\t\r\n?#;]")


@lru_cache(maxsize=16)
def _origin(base_url: str) -> str | None:
    parts = urlsplit(base_url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def expand_permalink(pattern: str, slug: str, date: datetime | None) -> str:
    """Fill `/{year}/{month}/{slug}/` for one document; the result is site-relative."""
    values = {"slug": slug}
    if date is not None:
        values |= {
            "year": f"{date.year:04d}",
            "month": f"{date.month:02d}",
            "day": f"{date.day:02d}",
        }
    return pattern.format(**values).lstrip("/")


def output_path(site_path: str) -> str:
    """The file a site path is written to: pretty URLs end in /index.html."""
    if site_path == "" or site_path.endswith("/"):
        return site_path + "index.html"
    return site_path


def is_safe_relative(path: str) -> bool:
    """True when a site-relative path stays inside the output folder."""
    return not path.startswith("/") and ".." not in path.split("/") and "\\" not in path
