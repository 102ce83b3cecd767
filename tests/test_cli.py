"""The command line, run as a user runs it: a real process, its output and exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import MINIMAL_CONFIG, post


def sitegen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sitegen.cli", *args], cwd=cwd, capture_output=True, text=True
    )


def test_new_site_then_build_then_new_post(tmp_path):
    made = sitegen("new", "blog", "--title", "我的博客", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    site = tmp_path / "blog"
    assert not (site / "themes").exists()
    built = sitegen("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "1 posts" in built.stdout and "written" in built.stdout
    assert "我的博客" in (site / "public/index.html").read_text()
    assert 'language = "zh-CN"' in (site / "sitegen.toml").read_text()  # from the Chinese title
    assert 'class="math inline"' in (site / "public/2024/01/hello-math/index.html").read_text()

    (site / "sitegen.toml").write_text(
        (site / "sitegen.toml").read_text() + 'timezone = "Asia/Shanghai"\n', encoding="utf-8"
    )
    added = sitegen("new-post", "能量视角下的GAN模型", cwd=site / "content")  # found from below
    assert added.returncode == 0, added.stderr
    created = site / "content/posts/neng-liang-shi-jiao-xia-de-gan-mo-xing.md"
    assert created.is_file() and "draft: true" in created.read_text()
    assert "+08:00" in created.read_text()  # the date is in the site's zone
    again = sitegen("new-post", "能量视角下的GAN模型", cwd=site)
    assert again.returncode == 1 and "already exists" in again.stderr
    drafts = sitegen("build", "--drafts", cwd=site / "content" / "posts")
    assert "2 posts" in drafts.stdout


def test_build_flags(tmp_path):
    site = tmp_path / "s"
    (site / "content/posts").mkdir(parents=True)
    (site / "sitegen.toml").write_text(MINIMAL_CONFIG)
    (site / "content/posts/a.md").write_text(post("A"))
    done = sitegen(
        "build",
        str(site),
        "-o",
        str(tmp_path / "o"),
        "--base-url",
        "https://h.io/pre/",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert 'href="/pre/2024/01/a/"' in (tmp_path / "o/index.html").read_text()


def test_user_errors_are_lines_not_tracebacks(tmp_path):
    site = tmp_path / "s"
    (site / "content/posts").mkdir(parents=True)
    (site / "sitegen.toml").write_text(MINIMAL_CONFIG)
    (site / "content/posts/a.md").write_text(post("A"))
    (site / "content/posts/b.md").write_text("---\ntitle: B\ndate: 2024-02-30\n---\n")
    done = sitegen("build", cwd=site)
    assert done.returncode == 1
    assert "error: content/posts/b.md:3: `date` is not a date" in done.stderr
    assert "Traceback" not in done.stderr
    assert (site / "public/2024/01/a/index.html").is_file()


def test_bad_config_and_missing_site(tmp_path):
    (tmp_path / "sitegen.toml").write_text(
        '[site]\ntitle = "T"\nbase_url = "https://e.org/"\ncolour = 1\n'
    )
    bad = sitegen("build", cwd=tmp_path)
    assert bad.returncode == 1 and "sitegen.toml:4: [site] unknown key `colour`" in bad.stderr
    missing = sitegen("build", "nowhere", cwd=tmp_path)
    assert missing.returncode == 1 and "no sitegen.toml" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr
