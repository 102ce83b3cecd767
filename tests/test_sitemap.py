from xml.etree import ElementTree

from tests.conftest import MINIMAL_CONFIG, post

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_is_valid_xml_listing_every_page(make_site, build, tmp_path):
    config = MINIMAL_CONFIG.replace("https://example.org/", "https://example.org/blog/")
    files = {
        "content/posts/a.md": post("A & B", updated="2024-02-02", tags=["x"]),
        "content/pages/about.md": post("About"),
    }
    build(make_site(files, config))
    out = tmp_path / "out"
    root = ElementTree.parse(out / "sitemap.xml").getroot()
    locs = [u.findtext("s:loc", namespaces=NS) for u in root.findall("s:url", NS)]
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("index.html"))
    assert sorted(locs) == sorted(
        "https://example.org/blog/" + p[: -len("index.html")] for p in pages
    )
    lastmods = {
        u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
        for u in root.findall("s:url", NS)
    }
    assert lastmods["https://example.org/blog/2024/01/a/"] == "2024-02-02T00:00:00+00:00"
    robots = (out / "robots.txt").read_text()
    assert "Sitemap: https://example.org/blog/sitemap.xml" in robots
