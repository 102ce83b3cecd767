"""Shared fixtures: small sites written inline, built into tmp_path, as Hugo's tests do."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from sitegen.build import BuildOptions, BuildReport, build_site

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# Every fixture's Markdown and every example post: what parser speed-ups are checked against.
MARKDOWN_SOURCES = [
    *(
        source
        for folder in ("markdown", "math")
        for path in sorted((REPO / "tests" / "fixtures" / folder).glob("*.md"))
        for _, _, source, _ in read_fixture_file(path)
    ),
    *(
        path.read_text(encoding="utf-8")
        for path in sorted(
            [*REPO.glob("content/**/*.md"), *REPO.glob("tests/fixtures/corpus/**/*.md")]
        )
    ),
]

MINIMAL_CONFIG = """\
[site]
title = "Test blog"
base_url = "https://example.org/"
language = "en"
"""


def imported_after(code: str, *args: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported once `code` has run: what a
    process of sitegen pays for at start-up, which this process (having imported it all)
    cannot tell."""
    probe = f"{code}\nimport sys\nprint(*{{name.split('.')[0] for name in sys.modules}})"
    shown = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
    )
    return set(shown.stdout.split())


def post(title: str, date: str = "2024-01-01", body: str = "Hello.", **meta: object) -> str:
    """A post's text with YAML front matter; lists and strings are written as YAML."""
    import yaml

    front = {"title": title, "date": date, **meta}
    return (
        "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body + "\n"
    )


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """Write `files` (relative path → text or bytes) under a fresh site folder."""

    def make(files: dict[str, str | bytes], config: str = MINIMAL_CONFIG) -> Path:
        return write_site(tmp_path / "site", files, config)

    return make


def write_site(root: Path, files: dict[str, str | bytes], config: str = MINIMAL_CONFIG) -> Path:
    """`files` and `sitegen.toml` under `root`; for fixtures of any scope."""
    write_file(root, "sitegen.toml", config)
    for rel, content in files.items():
        write_file(root, rel, content)
    return root


def write_file(root: Path, rel: str, content: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., BuildReport]:
    """Build a site into tmp_path/out with a fixed clock."""

    def run(root: Path, **options: object) -> BuildReport:
        options.setdefault("output", tmp_path / "out")
        options.setdefault("now", NOW)
        return build_site(root, BuildOptions(**options))

    return run
