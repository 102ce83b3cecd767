"""The benchmark's smoke run and its corpus generator: deterministic, and runnable offline."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "benchmarks"
SCENARIOS = ("cold build", "no change", "edit body", "edit title+tags")


def test_smoke_run_prints_a_row_per_scenario_without_making_a_venv(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--smoke", "--work", str(tmp_path / "work")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for scenario in SCENARIOS:
        row = re.compile(
            rf"^\|\s*200\s*\| {re.escape(scenario)}\s*\| sitegen \|\s*\d+\.\d\d \|", re.M
        )
        assert row.search(done.stdout), f"no row for {scenario!r} in:\n{done.stdout}"
    assert "(200 posts," in done.stderr  # none left out as dated in the future
    assert not (tmp_path / "cache").exists()  # Hugo and Pelican were never installed
    # Cold builds move the last output aside rather than delete it just before a timed run;
    # what was moved aside is deleted once the timing is over.
    assert not (tmp_path / "work" / "trash").exists()
    assert (tmp_path / "work" / "sitegen-200" / "public" / "index.html").is_file()


def corpus(target: str, posts: int, out: Path) -> Path:
    command = [sys.executable, str(BENCHMARKS / "corpus.py"), "--target", target]
    subprocess.run([*command, "--posts", str(posts), "--out", str(out)], check=True)
    return out


def test_a_small_corpus_is_a_prefix_of_a_larger_one(tmp_path):
    small = corpus("sitegen", 6, tmp_path / "small")
    large = corpus("sitegen", 9, tmp_path / "large")
    posts = sorted((small / "content/posts").iterdir())
    assert len(posts) == 6
    for path in posts:
        assert path.read_bytes() == (large / "content/posts" / path.name).read_bytes()


def test_the_three_targets_hold_the_same_bodies(tmp_path):
    bodies = {}
    for target in ("sitegen", "hugo", "pelican"):
        folder = corpus(target, 3, tmp_path / target)
        texts = sorted(p.read_text() for p in folder.rglob("content/**/*.md"))
        bodies[target] = [
            re.split(r"\n---\n\n|^Slug: .*\n(?:Series.*\n)*\n", t, flags=re.M)[-1] for t in texts
        ]
    assert bodies["sitegen"] == bodies["hugo"] == bodies["pelican"]
    assert all("<!--more-->" in body and "```python" in body for body in bodies["sitegen"])


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", BENCHMARKS / "run.py")
    run = sys.modules["bench_run"] = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCHMARKS))  # run.py imports corpus.py beside it
    try:
        spec.loader.exec_module(run)
    finally:
        sys.path.remove(str(BENCHMARKS))
        del sys.modules["bench_run"]
    return run


def test_a_cold_run_moves_the_last_output_aside_and_the_trash_is_emptied_at_the_end(tmp_path):
    run = _run_module()
    output = tmp_path / "site" / "public"
    (output / "a").mkdir(parents=True)
    (output / "a" / "index.html").write_text("old")
    inode = (output / "a" / "index.html").stat().st_ino
    trash = run.Trash(tmp_path / "trash")
    trash.throw(output)
    trash.throw(tmp_path / "site" / ".sitegen")  # absent: nothing to do
    assert not output.exists()
    [moved] = (tmp_path / "trash").iterdir()
    assert (moved / "a" / "index.html").stat().st_ino == inode  # renamed, not copied
    trash.empty()
    assert not (tmp_path / "trash").exists()


def test_the_tools_take_turns_in_each_scenario_and_a_slow_one_runs_once(tmp_path, monkeypatch):
    """So that a ratio to Hugo compares runs made at the same time."""
    run = _run_module()
    done = []

    def timed(site, scenario):
        done.append((site.tool, scenario))
        slow = site.tool == "pelican" and scenario == "cold build"
        return run.Run(60.0 if slow else 1.0, 0, "")

    monkeypatch.setattr(run, "timed", timed)
    monkeypatch.setattr(run, "count_html", lambda folder: 0)
    sites = [SimpleNamespace(tool=tool, output=tmp_path) for tool in ("sitegen", "hugo", "pelican")]
    results = run.measure(sites, 10, repeats=2, slow=45)
    cold = [tool for tool, scenario in done if scenario == "cold build"]
    # warm-ups (pelican's is its measurement), then turns: A B, B A
    assert cold == ["sitegen", "hugo", "pelican", "sitegen", "hugo", "hugo", "sitegen"]
    edit = [tool for tool, scenario in done if scenario == "edit body"]
    assert edit == ["sitegen", "hugo", "sitegen", "hugo", "pelican", "hugo", "sitegen"]
    assert [(r.scenario, r.tool, len(r.runs)) for r in results][:3] == [
        ("cold build", "sitegen", 2),
        ("cold build", "hugo", 2),
        ("cold build", "pelican", 1),
    ]
