"""What a reader sees: real MathJax in Chromium typesets every formula of a built site."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import ServedSite, Typeset

# One worker runs all browser tests (with `--dist loadgroup`), so the example
# blog is built and Chromium started once.
pytestmark = pytest.mark.xdist_group("browser")

OpenPage = Callable[..., tuple[Page, Typeset]]
PHONE = 375
# What the example blog must contain for the page-by-page test to mean much:
# MathJax 2's `\require{HTML}` (the magic-cube post) and equation references.
HARD_CASES = (r"\require{HTML}", r"\eqref")

# MathJax 2 extension names as posts written for MathJax 2 `\require` them,
# each followed by a macro the extension provides.
V2_REQUIRES = {
    "AMSmath": r"\require{AMSmath}\begin{aligned} a &= b \\ c &= d \end{aligned}",
    "AMSsymbols": r"\require{AMSsymbols}\mathbb{R} \lesssim \mathfrak{g}",
    "color": r"\require{color}\color{blue}{y}",
    "cancel": r"\require{cancel}\cancel{x} + \bcancel{y}",
    "enclose": r"\require{enclose}\enclose{circle}{x}",
    "mhchem": r"\require{mhchem}\ce{H2O}",
    "boldsymbol": r"\require{boldsymbol}\boldsymbol{\alpha}",
    "HTML": r"\require{HTML}\style{color:red}{x}",
    "action": r"\require{action}\toggle{a}{b}\endtoggle",
    "autoload-all": r"\require{autoload-all}\color{green}{z}",
    "bbox": r"\require{bbox}\bbox[yellow]{x}",
    "begingroup": r"\require{begingroup}x",
    "extpfeil": r"\require{extpfeil}\xtwoheadrightarrow{f}",
    "newcommand": r"\require{newcommand}\newcommand{\half}{\frac12}\half",
    "unicode": r"\require{unicode}\unicode{x263A}",
    "verb": r"\require{verb}\verb|a_b|",
}

SMALL_SITE = {
    "sitegen.toml": """\
[site]
title = "Browser test blog"
base_url = "https://example.org/sub/"
language = "en"

[build]
post_url = "/posts/{slug}/"
""",
    "content/posts/v2-requires.md": "---\ntitle: MathJax 2 requires\ndate: 2024-01-02\n---\n"
    + "".join(f"- {name}: ${tex}$\n" for name, tex in V2_REQUIRES.items()),
    "content/posts/misspelt-require.md": "---\ntitle: Misspelt\ndate: 2024-01-03\n---\n"
    + r"Broken: $\require{AMSMath}x$. Fine: $y$.",
    "content/posts/money-and-code.md": r"""---
title: Money and code
date: 2024-01-01
---
It costs $5 and $6.

Only this is math: $a+b$.

Code stays code: `\(x\)` and `$y$`.

```
\[z\] and $w$
```
""",
}


@pytest.fixture(scope="module")
def small_site(
    tmp_path_factory: pytest.TempPathFactory, serve_site: Callable[[Path], ServedSite]
) -> ServedSite:
    """Posts for the edge cases, under a sub-path: v2 and misspelt `\\require`, `$` and code."""
    root = tmp_path_factory.mktemp("small-site")
    for rel, text in SMALL_SITE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return serve_site(root)


def fullest(paths: list[Path]) -> Path:
    """The page showing the most formulas: a post itself rather than a list of excerpts."""
    assert paths, "no page found"
    return max(paths, key=lambda path: path.read_text(encoding="utf-8").count('class="math '))


def test_magic_cube_is_drawn(example_site: ServedSite, open_page: OpenPage, tmp_path: Path) -> None:
    post = fullest(example_site.html_files(containing=r"\require{HTML}"))
    for width in (PHONE, 1280):
        page, typeset = open_page(example_site, post, width=width)
        assert not typeset.problems(), "\n".join(typeset.problems())
        # \style{transform: rotate(45deg)} draws the slanted edges and
        # \style{opacity:0.5} the hidden ones: both must reach the CSS.
        drawn = page.evaluate(
            """() => ({
              rotated: Array.from(document.querySelectorAll('mjx-container [style*="rotate"]'))
                .filter((e) => getComputedStyle(e).transform !== 'none' && e.offsetWidth > 0)
                .length,
              faded: Array.from(document.querySelectorAll('mjx-container [style*="opacity"]'))
                .filter((e) => getComputedStyle(e).opacity === '0.5' && e.offsetWidth > 0)
                .length,
            })"""
        )
        assert drawn["rotated"] > 0
        assert drawn["faded"] > 0
        page.screenshot(path=tmp_path / f"magic-cube-{width}.png", full_page=True)


def test_every_page_with_math_typesets_and_fits_a_phone(
    example_site: ServedSite, open_page: OpenPage
) -> None:
    pages = example_site.html_files(containing='class="math ')
    texts = [path.read_text(encoding="utf-8") for path in pages]
    for hard_case in HARD_CASES:
        assert any(hard_case in text for text in texts), f"no page shows {hard_case}"
    problems = []
    for path in pages:
        _, typeset = open_page(example_site, path, width=PHONE)
        problems += typeset.problems()
        if typeset.math == 0:
            problems.append(f"{typeset.url}: no .math element")
        if typeset.scroll_width > PHONE:
            problems.append(f"{typeset.url}: {typeset.scroll_width}px wide on a {PHONE}px phone")
    assert not problems, "\n".join(problems)


def test_mathjax_2_extension_names_still_load(small_site: ServedSite, open_page: OpenPage) -> None:
    page, typeset = open_page(small_site, small_site.output / "posts/v2-requires/index.html")
    assert not typeset.problems(), "\n".join(typeset.problems())
    assert typeset.math == len(V2_REQUIRES)
    color = page.evaluate(
        """() => getComputedStyle(
              document.querySelector('.math mjx-container [style*="color:red"]')).color"""
    )
    assert color == "rgb(255, 0, 0)"


def test_only_math_elements_are_typeset(small_site: ServedSite, open_page: OpenPage) -> None:
    page, typeset = open_page(small_site, small_site.output / "posts/money-and-code/index.html")
    assert not typeset.problems(), "\n".join(typeset.problems())
    assert typeset.math == 1
    assert typeset.containers == 1
    code = page.evaluate(
        "() => Array.from(document.querySelectorAll('code'), (e) => e.textContent)"
    )
    assert r"\(x\)" in code
    assert "$y$" in code
    assert r"\[z\] and $w$" + "\n" in code
    assert "It costs $5 and $6." in page.inner_text("body")


def test_a_misspelt_require_breaks_only_its_formula(
    small_site: ServedSite, open_page: OpenPage
) -> None:
    _, typeset = open_page(small_site, small_site.output / "posts/misspelt-require/index.html")
    assert typeset.failure is None
    assert typeset.untypeset == []
    assert typeset.errors == [
        'Extension "[tex]/AMSMath" is not allowed to be loaded in \\require{AMSMath}x'
    ]
