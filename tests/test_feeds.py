"""Feeds read back by feedparser, as a feed reader would."""

from __future__ import annotations

import re

import feedparser
import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from sitegen.feeds import _absolute_links
from tests.conftest import MINIMAL_CONFIG, post

TEX = r"\sum_{i=1}^n |x_i|^2 < \|x\|_1 \cdot a*b & c"


@pytest.fixture
def feeds(make_site, build, tmp_path):
    config = MINIMAL_CONFIG.replace("https://example.org/", "https://example.org/blog/")
    config += "[feeds]\nlimit = 2\n"
    files = {
        f"content/posts/p{i}.md": post(
            f"Post {i} <&>",
            f"2024-0{i + 1}-01T08:00:00+08:00",
            category="数学",
            tags=["t"],
            body=f"Intro ${TEX}$.\n\n<!--more-->\n\n[about](/about/) ![i](/images/i.png)",
        )
        for i in range(3)
    }
    build(make_site(files, config))
    out = tmp_path / "out"
    return {
        name: feedparser.parse((out / name).read_bytes())
        for name in (
            "atom.xml",
            "rss.xml",
            "categories/shu-xue/atom.xml",
            "categories/shu-xue/rss.xml",
        )
    }


@pytest.mark.parametrize(
    "name", ["atom.xml", "rss.xml", "categories/shu-xue/atom.xml", "categories/shu-xue/rss.xml"]
)
def test_feed_reads_back(feeds, name):
    feed = feeds[name]
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["Post 2 <&>", "Post 1 <&>"]  # newest, limit 2
    entry = feed.entries[0]
    assert entry.link == "https://example.org/blog/2024/03/p2/"
    assert entry.published_parsed[:4] == (2024, 3, 1, 0)  # 08:00+08:00 is midnight UTC
    html = entry.content[0].value
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one(".math.inline").get_text() == rf"\({TEX}\)"
    hrefs = [a["href"] for a in soup.find_all("a")] + [i["src"] for i in soup.find_all("img")]
    assert hrefs == ["https://example.org/blog/about/", "https://example.org/blog/images/i.png"]


def test_feed_links_and_metadata(feeds):
    atom = feeds["atom.xml"].feed
    assert atom.title == "Test blog"
    assert {link.rel: link.href for link in atom.links} == {
        "alternate": "https://example.org/blog/",
        "self": "https://example.org/blog/atom.xml",
    }
    assert feeds["atom.xml"].entries[0].tags[0].term == "数学"
    assert (
        feeds["categories/shu-xue/rss.xml"].feed.link
        == "https://example.org/blog/categories/shu-xue/"
    )


# what a root-relative link is, as a regex: `href="/` or `src="/` after a space, not `//`
ROOT_RELATIVE_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')
PIECES = [' href="/', '\nsrc="/', 'xhref="/', '="/', "/", "href", "src", " ", "\u3000", '"', "a"]


@given(st.lists(st.sampled_from(PIECES), max_size=24).map("".join))
def test_root_relative_links_and_only_those_become_absolute(html):
    expected = ROOT_RELATIVE_LINK.sub(lambda m: m.group(1) + "https://example.org/", html)
    assert _absolute_links(html, "https://example.org/blog/") == expected
