"""The linter: every seeded error found at its line and column, no alarm on valid math."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.utils import read_fixture_file

from sitegen.check import check_site, check_source, lint_body
from sitegen.config import load_config
from sitegen.content import markdown_options
from sitegen.errors import SiteError
from sitegen.markdown import MarkdownOptions
from sitegen.sources import Source
from tests.conftest import REPO, post
from tests.test_math_fixtures import prepare
from tests.test_math_properties import BLOCK_CONTAINERS, INLINE_CONTAINERS

FIXTURES = Path(__file__).parent / "fixtures" / "check"
MATH_FIXTURES = Path(__file__).parent / "fixtures" / "math"

# Valid for the parser, deliberately wrong as posts: the linter is right to flag them.
NOT_CLEAN_POSTS = {
    "environment closed twice": "its second \\end{equation} is a stray end",
    "a bare \\eqref or \\ref in prose": "the snippet refers to labels it does not define",
    "a reference inside inline math": "the snippet refers to a label it does not define",
}


def found(source_text: str) -> list[str]:
    """What the linter reports for a post, as `line:col: message` without path and hint."""
    config = load_config(FIXTURES)
    source = Source("post.md", "post", source_text.encode())
    return [location(error) for error in check_source(source, config, markdown_options(config))]


def location(error: SiteError) -> str:
    where = f"{error.line}:{error.column}" if error.column is not None else f"{error.line}"
    return f"{where}: {error.message}"


def cases(*paths: Path) -> list[object]:
    return [
        pytest.param(source, expected, id=f"{path.stem}:{line}")
        for path in paths
        for line, _title, source, expected in read_fixture_file(path)
    ]


@pytest.mark.parametrize(("source", "expected"), cases(*sorted((FIXTURES / "broken").glob("*.md"))))
def test_broken_post(source: str, expected: str) -> None:
    assert expected.strip(), "a broken case names the problems it seeds"
    assert found(source) == expected.splitlines()


@pytest.mark.parametrize(("source", "expected"), cases(FIXTURES / "clean.md"))
def test_clean_post(source: str, expected: str) -> None:
    assert found(source) == []


def test_broken_corpus_is_large_enough() -> None:
    assert len(cases(*(FIXTURES / "broken").glob("*.md"))) >= 30


def valid_math_cases() -> list[object]:
    """Every math fixture whose HTML holds math, less those that are wrong as posts."""
    return [
        pytest.param(title, source, id=f"{path.stem}:{line}")
        for path in sorted(MATH_FIXTURES.glob("*.md"))
        for line, title, source, expected in read_fixture_file(path)
        if 'class="math' in expected and not any(key in title for key in NOT_CLEAN_POSTS)
    ]


@pytest.mark.parametrize(("title", "source"), valid_math_cases())
def test_no_alarm_on_valid_math_fixtures(title: str, source: str) -> None:
    body = prepare(title, source).replace("\r\n", "\n")
    assert lint_body("case.md", body, MarkdownOptions()) == []


def test_no_alarm_on_the_example_blog() -> None:
    config = load_config(REPO)
    report = check_site(config, markdown_options(config))
    assert report.problems == ()
    assert report.files >= 15 and report.summary() == f"no problems in {report.files} files"


def test_summary_counts_problems_and_files(make_site) -> None:
    root = make_site(
        {
            "content/posts/a.md": post("A", body="$\\left( x$ and $\\frac{a}{b$"),
            "content/posts/b.md": post("B", body="$x}$"),
            "content/posts/c.md": post("C", body="$x$"),
        }
    )
    config = load_config(root)
    report = check_site(config, markdown_options(config))
    assert [(e.path, e.line) for e in report.problems] == [
        ("content/posts/a.md", 5),
        ("content/posts/a.md", 5),
        ("content/posts/b.md", 5),
    ]
    assert report.summary() == "3 problems in 2 files"


def sitegen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sitegen.cli", *args], cwd=cwd, capture_output=True, text=True
    )


def test_cli_check_prints_locations_and_fails(make_site) -> None:
    root = make_site(
        {
            "content/posts/a.md": post("A", body="Let $\\alpha be small."),
            "content/pages/b.md": "---\ntitle: B\n---\n\n$$\n\\sqrt{x\n$$\n",
        }
    )
    done = sitegen("check", str(root), cwd=root.parent)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "content/posts/a.md:5:5: unclosed `$`"
        " — close the math with `$`, or write `\\$` for a literal dollar",
        "content/pages/b.md:6:6: unbalanced braces: this `{` is never closed"
        " — add its `}`; write `\\{` for a brace that shows",
        "2 problems in 2 files",
    ]


def test_cli_check_passes_on_the_example_blog() -> None:
    done = sitegen("check", cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("no problems in ")


def test_strict_build_fails_on_a_lint_error_and_normal_build_does_not(make_site, tmp_path):
    root = make_site({"content/posts/a.md": post("A", body="$\\begin{matrix} 1$")})
    normal = sitegen("build", str(root), "-o", str(tmp_path / "normal"), cwd=tmp_path)
    assert normal.returncode == 0, normal.stderr
    strict = sitegen("build", str(root), "--strict", "-o", str(tmp_path / "strict"), cwd=tmp_path)
    assert strict.returncode == 1
    assert "content/posts/a.md:5:2: `\\begin{matrix}` without `\\end{matrix}`" in strict.stderr
    # The strict build reports like any failed post: the site is written, the exit is 1.
    assert (tmp_path / "strict/index.html").is_file()


def test_strict_build_skips_what_it_does_not_publish(make_site, build) -> None:
    root = make_site({"content/posts/a.md": post("A", body="$x}$", draft=True)})
    assert build(root, strict=True).errors == []
    assert [e.path for e in build(root, strict=True, drafts=True).errors] == ["content/posts/a.md"]


def test_site_macros_count_as_their_definitions() -> None:
    body = "$\\left( x \\RP$"
    assert found(post("A", body=body)) == []  # the fixtures' config defines RP = "\\right)"
    assert [e.message for e in lint_body("a.md", body, MarkdownOptions())] == [
        "`\\left` without `\\right`"
    ]


# Properties: well-formed TeX draws no alarm in any container, and a stray `}` is reported
# at exactly its character in the file.

ATOMS = ["x", "设", "\\alpha", "\\{", "\\}", "\\\\", "_1", "^2", " & ", "<", "|", "\\%", "\\,"]
balanced_tex = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map("".join),
        inner.map(lambda tex: "{" + tex + "}"),
        inner.map(lambda tex: "\\left(" + tex + "\\right)"),
        inner.map(lambda tex: "\\begin{pmatrix}" + tex + "\\end{pmatrix}"),
    ),
    max_leaves=12,
)
FRONT_MATTER = "---\ntitle: t\ndate: 2024-01-01\n---\n"
PLACES = [
    *[
        (container, opener + "{}" + closer)
        for container in INLINE_CONTAINERS
        for opener, closer in (("$", "$"), ("\\(", "\\)"))
    ],
    *[(container, "$$\n{}\n$$") for container in BLOCK_CONTAINERS],
]


def in_place(place: tuple[Callable[[str], str], str], tex: str) -> str:
    container, delimiters = place
    return FRONT_MATTER + container(delimiters.replace("{}", "a" + tex + "b"))


@settings(max_examples=200, deadline=None)
@given(balanced_tex, st.sampled_from(PLACES))
def test_well_formed_tex_draws_no_alarm(tex: str, place: tuple[Callable[[str], str], str]):
    assert found(in_place(place, tex)) == []


@settings(max_examples=200, deadline=None)
@given(balanced_tex, balanced_tex, st.sampled_from(PLACES))
def test_a_stray_brace_is_reported_at_its_character(
    before: str, after: str, place: tuple[Callable[[str], str], str]
) -> None:
    text = in_place(place, before + "}" + after)
    config = load_config(FIXTURES)
    source = Source("post.md", "post", text.encode())
    [problem] = check_source(source, config, markdown_options(config))
    assert problem.message == "unbalanced braces: this `}` closes nothing"
    line = text.split("\n")[problem.line - 1]
    assert line[problem.column - 1] == "}"
    assert line[: problem.column - 1].endswith("a" + before)


def test_delimiters_turned_off_are_plain_text() -> None:
    body = "$x_1 and $$ and \\(y and \\[z\n"
    assert lint_body("a.md", body, MarkdownOptions(dollars=False, brackets=False)) == []
    assert [e.message for e in lint_body("a.md", body, MarkdownOptions(dollars=False))] == [
        "unclosed `\\(`",
        "unclosed `\\[`",
    ]
