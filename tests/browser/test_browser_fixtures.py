"""Real MathJax typesets every valid math fixture case and every page of the real corpus.

The valid cases of tests/fixtures/math/*.md (those whose expected HTML has math) become
posts of a small site, several cases to a post, grouped by fixture file; the long posts
of tests/fixtures/corpus/ are a site of their own. Every page of both is opened in one
Chromium: no TeX error, no undefined macro, every formula typeset, every `\\eqref` resolved.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file
from playwright.sync_api import Page

from .conftest import REPO, ServedSite, Typeset

pytestmark = pytest.mark.xdist_group("browser")

OpenPage = Callable[..., tuple[Page, Typeset]]
FIXTURES = REPO / "tests" / "fixtures" / "math"
CORPUS = REPO / "tests" / "fixtures" / "corpus"
CASES_PER_POST = 40

# Valid cases MathJax cannot render on a page of their own, by "file:line" of the case.
EXCLUDED = {
    # A bare reference in prose is math by design (as MathJax 2 typeset it), but this
    # case refers to labels it never defines, so MathJax rightly shows "(???)".
    "inline:356": r"\eqref{eq:energy} and \ref{eq:two} point at labels defined nowhere",
    # Pins that a reference inside `$…$` stays one span; the label `a` exists nowhere.
    "inline:384": r"\eqref{a} refers to no \label",
    # The rest pin where the parser cuts spans, with TeX that LaTeX rejects too.
    "adversarial:178": r"\[ inside \(…\) is no TeX command in math mode",
    "adversarial:192": r"\( inside $…$ is no TeX command in math mode",
    "adversarial:313": "a bare & outside an alignment: Misplaced &",
    "display:224": "# is a macro parameter character, not allowed in math",
    "display:285": "a bare & outside an alignment: Misplaced &",
    "environments:119": "equation nested in equation: Erroneous nesting",
    "environments:250": "# is a macro parameter character, not allowed in math",
    "inline:275": "&amp; and &alpha; are TeX text with a bare &, not entities",
    "inline:282": "a bare & outside an alignment: Misplaced &",
}

FIXTURE_CONFIG = """\
[site]
title = "Math fixtures"
base_url = "https://example.org/fixtures/"
language = "en"

[build]
post_url = "/cases/{slug}/"
"""

_LABEL = re.compile(r"\\label\{([^{}]*)\}")


def valid_cases() -> Iterator[tuple[str, str, str]]:
    """(fixture file stem, "stem:line", source) of every case whose expected HTML has math.

    Sources are used as written: the `[crlf]` and `[bom]` variants are LF text without a
    BOM here (a post is one file; those encodings are pinned by tests/test_math_fixtures.py).
    """
    for path in sorted(FIXTURES.glob("*.md")):
        for line, _title, source, expected in read_fixture_file(path):
            case = f"{path.stem}:{line}"
            if 'class="math' in expected and case not in EXCLUDED:
                yield path.stem, case, source


def fixture_posts() -> dict[str, list[tuple[str, str]]]:
    """Post slug → its cases, grouped by fixture file; a new post wherever a `\\label`
    would repeat (MathJax rejects a label defined twice on one page)."""
    posts: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, set[str]] = {}
    current: dict[str, str] = {}
    for stem, case, source in valid_cases():
        slug = current.get(stem)
        found = set(_LABEL.findall(source))
        if slug is None or len(posts[slug]) >= CASES_PER_POST or found & labels[slug]:
            slug = f"{stem}-{sum(key.startswith(stem + '-') for key in posts) + 1}"
            posts[slug], labels[slug], current[stem] = [], set(), slug
        posts[slug].append((case, source))
        labels[slug] |= found
    return posts


def write_fixture_site(root: Path) -> None:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "sitegen.toml").write_text(FIXTURE_CONFIG, encoding="utf-8")
    for number, (slug, cases) in enumerate(fixture_posts().items()):
        # A heading between cases closes any list, quote or paragraph a case leaves open.
        body = "".join(f"#### case {case}\n\n{source}\n\n" for case, source in cases)
        front = f"---\ntitle: {slug}\ndate: 2024-01-01 00:{number:02d}:00\n---\n\n"
        (root / "content" / "posts" / f"{slug}.md").write_text(front + body, encoding="utf-8")


@pytest.fixture(scope="module")
def fixture_site(
    tmp_path_factory: pytest.TempPathFactory, serve_site: Callable[[Path], ServedSite]
) -> ServedSite:
    root = tmp_path_factory.mktemp("fixture-site")
    write_fixture_site(root)
    return serve_site(root)


@pytest.fixture(scope="module")
def corpus_site(
    tmp_path_factory: pytest.TempPathFactory, serve_site: Callable[[Path], ServedSite]
) -> ServedSite:
    # Built from a copy, so the build's state folder stays out of tests/fixtures.
    root = tmp_path_factory.mktemp("corpus-site") / "corpus"
    shutil.copytree(CORPUS, root, ignore=shutil.ignore_patterns(".sitegen"))
    return serve_site(root)


def typeset_problems(site: ServedSite, pages: list[Path], open_page: OpenPage) -> list[str]:
    problems = []
    for path in pages:
        _, typeset = open_page(site, path)
        problems += typeset.problems()
        if typeset.math == 0:
            problems.append(f"{typeset.url}: no .math element")
    return problems


def test_exclusions_name_real_valid_cases() -> None:
    cases = {
        f"{path.stem}:{line}": expected
        for path in sorted(FIXTURES.glob("*.md"))
        for line, _title, _source, expected in read_fixture_file(path)
    }
    for case in EXCLUDED:
        assert 'class="math' in cases.get(case, ""), case


def test_every_valid_fixture_case_typesets(fixture_site: ServedSite, open_page: OpenPage) -> None:
    pages = fixture_site.html_files(containing='class="math ')
    posts = [path for path in pages if path.relative_to(fixture_site.output).parts[0] == "cases"]
    assert len(posts) == len(fixture_posts())
    cases = sum(len(cases) for cases in fixture_posts().values())
    assert cases >= 150
    problems = typeset_problems(fixture_site, posts, open_page)
    assert not problems, "\n".join(problems)


def test_every_corpus_page_typesets(corpus_site: ServedSite, open_page: OpenPage) -> None:
    pages = corpus_site.html_files(containing='class="math ')
    texts = [path.read_text(encoding="utf-8") for path in pages]
    for hard_case in (r"\eqref", r"\begin{CD}", r"\require{HTML}", r"\KL"):
        assert any(hard_case in text for text in texts), f"no page shows {hard_case}"
    problems = typeset_problems(corpus_site, pages, open_page)
    assert not problems, "\n".join(problems)
