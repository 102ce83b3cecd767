"""Rewrite links and image sources so they resolve from any page and under any sub-path."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from sitegen.urls import link

_URL_ATTRIBUTE = {"image": "src", "link_open": "href"}


def links_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("site_links", _rewrite)


def _rewrite(state: StateCore) -> None:
    """`/images/x.png` gets the base path; `fig.png` in a page bundle gets the page's URL.

    Reads `page_url` and `base_path` from the render env; excerpts shown on the
    index then point at the same files as the post itself.
    """
    base_path = state.env.get("base_path")
    page_url = state.env.get("page_url")
    if base_path is None or page_url is None:
        return
    for block in state.tokens:
        for token in block.children or ():
            attr = _URL_ATTRIBUTE.get(token.type)
            if attr:
                value = token.attrGet(attr)
                if isinstance(value, str):
                    token.attrSet(attr, site_href(value, page_url, base_path))
            if token.type == "image":
                token.attrSet("loading", "lazy")


def site_href(href: str, page_url: str, base_path: str) -> str:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("#") or not href:
        return href
    if href.startswith("/"):
        return link(base_path, href)
    return urljoin(page_url, href)
