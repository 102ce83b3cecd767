"""A list page typesets each excerpt as its own TeX scope: labels and numbers restart per excerpt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.conftest import write_site

from .conftest import ServedSite, Typeset

pytestmark = pytest.mark.xdist_group("browser")

OpenPage = Callable[..., tuple[Page, Typeset]]

EQUATIONS = r"""
\begin{equation}
a_k = k^2 \label{eq:1}
\end{equation}

\begin{equation}
b_k = \sum_{j\le k} a_j \label{eq:2}
\end{equation}
"""


def numbered_post(title: str, day: int, *, forward: bool) -> str:
    """Two labelled equations and `\\eqref{eq:1}` in the excerpt, a third equation after the cut.

    With `forward`, the excerpt refers to eq:1 before defining it, which MathJax
    resolves by compiling that formula a second time.
    """
    before = r"Forward: $\eqref{eq:1}$ comes next." if forward else "Two equations."
    after = "" if forward else r"Back to $\eqref{eq:1}$."
    return (
        f"---\ntitle: {title}\ndate: 2024-03-{day:02d}\n---\n{before}\n{EQUATIONS}\n{after}\n\n"
        "<!--more-->\n\n"
        "\\begin{equation}\nc_k = a_k + b_k \\label{eq:3}\n\\end{equation}\n\n"
        r"Both $\eqref{eq:1}$ and $\eqref{eq:3}$ hold." + "\n"
    )


POSTS = {
    # Newest first on the home page: alpha, beta, gamma, cut.
    "alpha": numbered_post("Alpha", 4, forward=True),
    "beta": numbered_post("Beta", 3, forward=False),
    "gamma": numbered_post("Gamma", 2, forward=False),
    "cut": r"""---
title: Cut
date: 2024-03-01
---
The key bound is $\eqref{eq:late}$.

<!--more-->

\begin{equation}
z \le 1 \label{eq:late}
\end{equation}

So $\eqref{eq:late}$ is proved.
""",
}

SITE_TOML = """\
[site]
title = "Scopes"
base_url = "https://example.org/"
language = "en"

[build]
posts_per_page = 20
post_url = "/posts/{slug}/"
"""

# Per article on the page, in document order: every "(…)" text MathJax wrote,
# which is an equation's tag or an \eqref (read from MathJax's own trees, as
# the characters themselves are CSS content). Also every in-page link MathJax
# made for an \eqref, with whether its target exists and lies in the same article.
NUMBERS_JS = """() => {
  const articles = Array.from(document.querySelectorAll("article"));
  const numbers = articles.map(() => []);
  for (const item of MathJax.startup.document.math) {
    const index = articles.findIndex((a) => a.contains(item.typesetRoot));
    if (index < 0 || !item.root) continue;
    item.root.walkTree((node) => {
      if (node.isToken && /^\\(.*\\)$/.test(node.getText())) numbers[index].push(node.getText());
    });
  }
  const links = Array.from(document.querySelectorAll('mjx-container a[href^="#"]'))
    .filter((a) => a.getAttribute("href") !== "#")
    .map((a) => {
      const target = document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
      return {
        href: a.getAttribute("href"),
        found: !!target,
        same: !!target && target.closest("article") === a.closest("article"),
      };
    });
  const ids = Array.from(document.querySelectorAll("mjx-container [id]"), (e) => e.id);
  return {
    numbers: numbers,
    links: links,
    duplicate_ids: ids.filter((id, i) => ids.indexOf(id) !== i),
    merror: document.querySelectorAll("mjx-merror, merror").length,
    text: document.body.textContent,
  };
}"""


@pytest.fixture(scope="module")
def scope_site(
    tmp_path_factory: pytest.TempPathFactory, serve_site: Callable[[Path], ServedSite]
) -> ServedSite:
    files = {f"content/posts/{slug}.md": text for slug, text in POSTS.items()}
    return serve_site(write_site(tmp_path_factory.mktemp("scope-site"), files, SITE_TOML))


def numbers_on(page: Page) -> dict:
    return page.evaluate(NUMBERS_JS)


def test_each_excerpt_on_the_home_page_is_its_own_scope(
    scope_site: ServedSite, open_page: OpenPage
) -> None:
    page, typeset = open_page(scope_site, scope_site.output / "index.html")
    assert typeset.failure is None  # MathJax.startup.promise resolved
    assert typeset.page_errors == []
    assert typeset.errors == []
    assert typeset.math == 3 * 3 + 1  # a ref and two equations per excerpt, one ref in "cut"
    assert typeset.untypeset == []
    # The reference to a label after the cut cannot resolve: "(???)", never an error box.
    assert typeset.unresolved == [r"\eqref{eq:late}"]
    found = numbers_on(page)
    assert found["merror"] == 0
    assert "multiply defined" not in found["text"]
    assert found["numbers"] == [
        ["(1)", "(1)", "(2)"],  # alpha: forward \eqref{eq:1}, then (1) and (2)
        ["(1)", "(2)", "(1)"],  # beta: (1) and (2), then \eqref{eq:1}
        ["(1)", "(2)", "(1)"],  # gamma
        ["(???)"],  # cut
    ]
    # Each \eqref links to its own excerpt's equation, and no id is used twice.
    assert len(found["links"]) == 3
    assert all(link["found"] and link["same"] for link in found["links"]), found["links"]
    assert found["duplicate_ids"] == []


@pytest.mark.parametrize("slug", ["alpha", "beta", "gamma"])
def test_post_pages_number_the_whole_post(
    scope_site: ServedSite, open_page: OpenPage, slug: str
) -> None:
    page, typeset = open_page(scope_site, scope_site.output / f"posts/{slug}/index.html")
    assert not typeset.problems(), "\n".join(typeset.problems())
    excerpt = ["(1)", "(1)", "(2)"] if slug == "alpha" else ["(1)", "(2)", "(1)"]
    found = numbers_on(page)
    assert found["numbers"] == [[*excerpt, "(3)", "(1)", "(3)"]]
    assert len(found["links"]) == 3
    assert all(link["found"] for link in found["links"]), found["links"]
    assert found["duplicate_ids"] == []


def test_a_reference_past_the_cut_resolves_on_its_post_page(
    scope_site: ServedSite, open_page: OpenPage
) -> None:
    page, typeset = open_page(scope_site, scope_site.output / "posts/cut/index.html")
    assert not typeset.problems(), "\n".join(typeset.problems())
    assert numbers_on(page)["numbers"] == [["(1)", "(1)", "(1)"]]
