"""What a writer sees in `sitegen serve`: every save shows in the open tab, untouched."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from sitegen.serve import PreviewServer, start_server
from tests.conftest import post

from .conftest import TIMEOUT_MS

# With the other browser tests: one worker, one Chromium.
pytestmark = pytest.mark.xdist_group("browser")

CONFIG = """\
[site]
title = "Preview test blog"
base_url = "https://example.org/blog/"
language = "en"

[build]
post_url = "/posts/{slug}/"
"""

LONG_BODY = "\n\n".join(f"Paragraph {n} of a long derivation." for n in range(300))

SITE = {
    "sitegen.toml": CONFIG,
    "content/posts/edited.md": post("Edited post", "2024-01-01", body="The first version."),
    "content/posts/bystander.md": post("Bystander", "2024-01-02", body="Nothing changes here."),
    "content/posts/long.md": post("Long post", "2024-01-03", body=LONG_BODY),
    # The site's own stylesheet replaces the theme's.
    "static/css/site.css": "body { color: rgb(1, 2, 3); }\n",
}


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[PreviewServer]:
    root = tmp_path / "site"
    for rel, text in SITE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    server = start_server(root, port=0)
    yield server
    server.close()


@pytest.fixture
def context(browser: Browser, preview: PreviewServer) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    # Nothing leaves the machine: only the preview server answers.
    context.route(lambda url: not url.startswith(preview.origin + "/"), lambda r: r.abort())
    yield context
    context.close()


@pytest.fixture
def open_tab(context: BrowserContext, preview: PreviewServer) -> Callable[[str], Page]:
    """A new tab at a path of the site, with a marker that a reload would wipe.

    No need to wait for its event stream: the page carries the build it came
    from, so a tab that connects after a rebuild is told about it then.
    """

    def open_(path: str) -> Page:
        page = context.new_page()
        page.goto(preview.url + path)
        page.evaluate("() => { window.__marker = 'still the same page'; }")
        return page

    return open_


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_saved_post_shows_in_its_tab_and_other_tabs_stay_still(
    preview: PreviewServer, open_tab: Callable[[str], Page]
) -> None:
    page = open_tab("posts/edited/")
    bystander = open_tab("posts/bystander/")
    expect(page.locator("main")).to_contain_text("The first version.")

    edit(preview.root / "content/posts/edited.md", "The first version.", "The second version.")

    expect(page.locator("main")).to_contain_text("The second version.")
    assert page.evaluate("() => window.__marker") is None  # it reloaded by itself
    assert bystander.evaluate("() => window.__marker") == "still the same page"


def test_broken_front_matter_shows_an_overlay_until_fixed(
    preview: PreviewServer, open_tab: Callable[[str], Page]
) -> None:
    page = open_tab("posts/edited/")
    source = preview.root / "content/posts/edited.md"
    good = source.read_text(encoding="utf-8")

    source.write_text(good.replace("title: Edited post", "title: [Edited post"), encoding="utf-8")
    overlay = page.locator("#__sitegen_errors")
    expect(overlay).to_be_visible()
    expect(overlay).to_contain_text("content/posts/edited.md:")
    expect(overlay).to_contain_text("front matter is not valid YAML")
    # The last good page is still what is underneath.
    expect(page.locator("main")).to_contain_text("The first version.")

    source.write_text(good.replace("The first version.", "Fixed."), encoding="utf-8")
    expect(overlay).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Fixed.")


def test_a_stylesheet_edit_applies_without_a_reload(
    preview: PreviewServer, open_tab: Callable[[str], Page]
) -> None:
    page = open_tab("posts/edited/")
    color = "() => getComputedStyle(document.body).color"
    assert page.evaluate(color) == "rgb(1, 2, 3)"

    edit(preview.root / "static/css/site.css", "rgb(1, 2, 3)", "rgb(4, 5, 6)")

    page.wait_for_function(f"() => ({color})() === 'rgb(4, 5, 6)'")
    assert page.evaluate("() => window.__marker") == "still the same page"
    assert page.locator('link[rel="stylesheet"][href*="site.css"]').count() == 1


def test_a_reload_keeps_the_scroll_position(
    preview: PreviewServer, open_tab: Callable[[str], Page]
) -> None:
    page = open_tab("posts/long/")
    page.evaluate("() => window.scrollTo(0, 3000)")
    page.wait_for_function("() => window.scrollY === 3000")

    edit(preview.root / "content/posts/long.md", "Paragraph 299 of", "The last paragraph of")

    expect(page.locator("main")).to_contain_text("The last paragraph of")
    assert page.evaluate("() => window.__marker") is None
    page.wait_for_function("() => Math.abs(window.scrollY - 3000) <= 1")
