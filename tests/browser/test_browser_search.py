"""What a reader sees on the search page: results for ?q=, as they type, in CJK too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import post, write_site

from .conftest import TIMEOUT_MS, ServedSite

# With the other browser tests: one worker, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")

CONFIG = """\
[site]
title = "Search test blog"
base_url = "https://example.org/blog/"
language = "zh-CN"

[build]
post_url = "/posts/{slug}/"
search = true
"""

POSTS = {
    "energy-gan": post(
        "Energy GAN",
        "2024-03-01",
        body="在这个系列中，我们从能量的视角理解GAN：$q_\\theta(x) = e^{-U_\\theta(x)}/Z_\\theta$。",
        tags=["GAN"],
    ),
    "diffusion": post(
        "Diffusion from scratch",
        "2024-02-01",
        body="The forward process adds noise: $x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\epsilon$.",
    ),
    "markup": post("Tags <b>stay</b> text", "2024-01-01", body="Energy of <i>markup</i>."),
}


@pytest.fixture(scope="module")
def search_site(
    tmp_path_factory: pytest.TempPathFactory, serve_site: Callable[[Path], ServedSite]
) -> ServedSite:
    files = {f"content/posts/{slug}.md": text for slug, text in POSTS.items()}
    return serve_site(write_site(tmp_path_factory.mktemp("search-site"), files, CONFIG))


@pytest.fixture
def page(browser: Browser, search_site: ServedSite) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    # Nothing leaves the machine: only the site's own server answers.
    context.route(lambda url: not url.startswith(search_site.origin + "/"), lambda r: r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def open_search(page: Page, site: ServedSite, query: str) -> None:
    page.goto(f"{site.origin}{site.base_path}search/?q={query}")


def titles(page: Page) -> list[str]:
    return page.locator(".search-result-title").all_text_contents()


def query_in_address(page: Page) -> str | None:
    values = parse_qs(urlsplit(page.url).query).get("q")
    return values[0] if values else None


def test_query_from_the_address_lists_matching_posts(page: Page, search_site: ServedSite) -> None:
    open_search(page, search_site, "GAN")
    expect(page.locator(".search-result")).to_have_count(1)
    assert titles(page) == ["Energy GAN"]
    expect(page.locator("#search-input")).to_have_value("GAN")
    expect(page.locator("#search-status")).to_have_text("找到 1 个结果")
    link = page.locator(".search-result-title a")
    expect(link).to_have_attribute("href", "/blog/posts/energy-gan/")
    expect(page.locator(".search-result-date")).to_have_text("2024-03-01")
    # The page fits a phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_typing_updates_results_and_the_address(page: Page, search_site: ServedSite) -> None:
    open_search(page, search_site, "energy")
    # Title matches first: "Energy GAN", then the post with "Energy" only in its text.
    expect(page.locator(".search-result")).to_have_count(2)
    assert titles(page) == ["Energy GAN", "Tags <b>stay</b> text"]
    field = page.locator("#search-input")
    field.fill("能量")  # no spaces in Chinese: a substring of the text
    expect(page.locator(".search-result")).to_have_count(1)
    assert titles(page) == ["Energy GAN"]
    expect(page.locator(".search-result-snippet mark")).to_have_text("能量")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === '能量'")
    assert query_in_address(page) == "能量"
    field.fill("noise 能量")  # every term must match
    expect(page.locator("#search-status")).to_have_text("没有找到结果。")
    expect(page.locator(".search-result")).to_have_count(0)
    field.fill("")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('q')")
    expect(page.locator("#search-status")).to_have_text("")


def test_math_is_found_as_tex(page: Page, search_site: ServedSite) -> None:
    open_search(page, search_site, "%5Cbar%5Calpha_t")  # \bar\alpha_t
    expect(page.locator(".search-result")).to_have_count(1)
    assert titles(page) == ["Diffusion from scratch"]
    snippet = page.locator(".search-result-snippet")
    expect(snippet).to_contain_text("\\(x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\epsilon\\)")


def test_titles_and_queries_are_text_never_markup(page: Page, search_site: ServedSite) -> None:
    open_search(page, search_site, "stay")
    expect(page.locator(".search-result")).to_have_count(1)
    assert titles(page) == ["Tags <b>stay</b> text"]
    assert page.locator(".search-results b").count() == 0
    page.locator("#search-input").fill('<img src=x onerror="window.hacked=1">')
    expect(page.locator("#search-status")).to_have_text("没有找到结果。")
    assert page.locator(".search img").count() == 0
    assert page.evaluate("window.hacked") is None
