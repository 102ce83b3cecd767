"""The one place that turns site paths into links and output files."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, urljoin, urlsplit

from slugify import slugify
from text_unidecode import unidecode

# Symbols that tell names apart: C++, C# and C must not share one tag page.
SYMBOLS = re.compile(r"(?<=\w)(\++|#)")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class _HanSpaced(dict):
    """A str.translate table that sets each Han character apart as its own word, so
    "GAN模型" becomes gan-mo-xing, not ganmo-xing: filled one character at a time as
    text shows it (a regex substitution cost a heading's slug a third of its time)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        spaced = self[code] = f" {char} " if HAN.match(char) else char
        return spaced


HAN_SPACED = _HanSpaced()


@lru_cache(maxsize=65536)  # tags and categories repeat across thousands of posts
def make_slug(text: str) -> str:
    """An ASCII URL segment; Chinese is transliterated (科学 → ke-xue) so URLs stay readable."""
    text = SYMBOLS.sub(lambda m: " sharp " if m[0] == "#" else " plus " * len(m[0]), text)
    # Transliterated here, not by slugify: its default looks for the `unidecode` package on
    # every call (1.8 ms per post's headings when it is absent), and would use it, with other
    # results, on a machine where it happens to be installed.
    ascii_text = unidecode(text.translate(HAN_SPACED))
    return slugify(ascii_text, lowercase=True, max_length=80, word_boundary=True)


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
