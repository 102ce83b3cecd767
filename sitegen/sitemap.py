"""sitemap.xml and robots.txt, so search engines find every page."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from sitegen.routes import Route
from sitegen.site import Site
from sitegen.urls import absolute, link


def sitemap_outputs(site: Site, routes: Iterable[Route]) -> dict[str, bytes]:
    base_url = site.config.site.base_url
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for route in sorted(routes, key=lambda r: r.site_path):
        if route.template == "404.html":
            continue
        lines.append(f"  <url><loc>{escape(_loc(site, route))}</loc>{_lastmod(route)}</url>")
    lines.append("</urlset>")
    sitemap_url = absolute(base_url, link(site.config.base_path, "sitemap.xml"))
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"
    return {
        "sitemap.xml": ("\n".join(lines) + "\n").encode("utf-8"),
        "robots.txt": robots.encode("utf-8"),
    }


def _loc(site: Site, route: Route) -> str:
    return absolute(site.config.site.base_url, link(site.config.base_path, route.site_path))


def _lastmod(route: Route) -> str:
    doc = route.context.get("post") or route.context.get("page")
    when = doc and (doc.updated or doc.date)
    return f"<lastmod>{when.isoformat()}</lastmod>" if when else ""
