"""sitemap.xml and robots.txt, so search engines find every page."""

from __future__ import annotations

import html
from collections.abc import Iterable

from sitegen.routes import Route
from sitegen.site import Site
from sitegen.urls import absolute, link

SITEMAP_FILES = ("sitemap.xml", "robots.txt")


def sitemap_entries(routes: Iterable[Route]) -> list[tuple[str, str]]:
    """(site path, last modified) of every page a search engine should see, in URL order;
    cheap, so a build can tell whether the sitemap changed without writing it."""
    return [
        (route.site_path, _lastmod(route))
        for route in sorted(routes, key=lambda r: r.site_path)
        if route.template != "404.html"
    ]


def sitemap_outputs(site: Site, entries: list[tuple[str, str]]) -> dict[str, bytes]:
    base_url = site.config.site.base_url
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for site_path, lastmod in entries:
        loc = absolute(base_url, link(site.config.base_path, site_path))
        modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{html.escape(loc, quote=False)}</loc>{modified}</url>")
    lines.append("</urlset>")
    sitemap_url = absolute(base_url, link(site.config.base_path, "sitemap.xml"))
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"
    return {
        "sitemap.xml": ("\n".join(lines) + "\n").encode("utf-8"),
        "robots.txt": robots.encode("utf-8"),
    }


def _lastmod(route: Route) -> str:
    doc = route.context.get("post") or route.context.get("page")
    when = doc and (doc.updated or doc.date)
    return when.isoformat() if when else ""
