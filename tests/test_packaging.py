"""A plain (non-editable) install must build a site that has no themes/ folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from tests.conftest import MINIMAL_CONFIG, REPO, post


def test_wheel_ships_the_default_theme_and_builds_a_bare_site(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
    )
    [wheel] = wheels.glob("sitegen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sitegen/_theme/templates/base.html" in names
    assert any(n.startswith("sitegen/_theme/static/css/") for n in names)
    assert "sitegen/livereload.js" in names  # sitegen serve injects it

    target = tmp_path / "installed"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    site = tmp_path / "site"
    (site / "content/posts").mkdir(parents=True)
    (site / "sitegen.toml").write_text(MINIMAL_CONFIG)
    (site / "content/posts/a.md").write_text(post("A", body="$x$"))
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import sitegen, sys; print(sitegen.__file__); from sitegen.cli import main; sys.exit(main(['build']))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=site, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(target))  # the installed copy, not the checkout
    assert "<title>" in (site / "public/2024/01/a/index.html").read_text()
    assert (site / "public/css").is_dir()
