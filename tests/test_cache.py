"""The cache in .sitegen/ and the build's bookkeeping: bad caches, killed and concurrent builds,
files sitegen did not write, and what a build says about itself."""

from __future__ import annotations

import dataclasses
import io
import marshal
import multiprocessing
import multiprocessing.pool
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen import build as build_module
from sitegen import pipeline
from sitegen.build import STATE_DIR, BuildOptions, build_site
from sitegen.cache import DATABASE, LIBRARIES, Cache, installed_versions, site_lock
from sitegen.cli import main
from sitegen.errors import BuildFailed, SiteError
from sitegen.progress import Progress
from tests.conftest import NOW, REPO, post


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def posts(count: int) -> dict[str, str]:
    return {
        f"content/posts/p{i:03}.md": post(
            f"Post {i}", f"2024-01-{1 + i % 28:02}", f"Body $x_{i}^2$.", tags=[f"t{i % 3}"]
        )
        for i in range(count)
    }


def clean_tree(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a build with no cache and an empty output folder writes."""
    out = tmp_path / "clean-out"
    build_site(root, BuildOptions(output=out, now=NOW, clean=True))
    return tree(out)


def test_a_damaged_cache_is_thrown_away_with_a_notice(make_site, build, tmp_path) -> None:
    root = make_site(posts(3))
    build(root)
    (root / STATE_DIR / DATABASE).write_bytes(b"this is not a database" * 100)
    report = build(root)
    assert any("damaged" in notice for notice in report.notices)
    assert report.errors == []
    assert tree(tmp_path / "out") == clean_tree(root, tmp_path)
    assert build(root).notices == []  # the new cache is sound


def test_a_cache_from_another_version_is_thrown_away(make_site, build) -> None:
    root = make_site(posts(2))
    build(root)
    with sqlite3.connect(root / STATE_DIR / DATABASE) as db:
        db.execute("UPDATE meta SET value = 'sitegen 0.0.1' WHERE key = 'format'")
    report = build(root)
    assert [n for n in report.notices if "another version" in n]
    assert report.written == 0  # the output was right already: nothing rewritten


def test_library_versions_are_read_as_importlib_metadata_reads_them(tmp_path, monkeypatch):
    from importlib.metadata import version

    assert installed_versions(LIBRARIES) == [version(name) for name in LIBRARIES]
    (tmp_path / "Some_Lib-2.0.dist-info").mkdir()  # wheel spelling; first on sys.path wins
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert installed_versions(["some.lib", "pygments"]) == ["2.0", version("pygments")]
    egg = tmp_path / "other-3.1.egg-info"  # installed otherwise: importlib.metadata is asked
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: other\nVersion: 3.1\n")
    assert installed_versions(["other"]) == ["3.1"]


def test_an_unwritable_cache_folder_builds_without_a_cache(make_site, build, tmp_path) -> None:
    root = make_site(posts(2))
    (root / STATE_DIR).write_text("a file where the cache folder should be")
    report = build(root)
    assert [n for n in report.notices if "cannot write the cache" in n]
    assert report.errors == [] and tree(tmp_path / "out") == clean_tree(root, tmp_path)


def test_a_cache_deleted_mid_build_only_costs_the_next_build_its_speed(
    make_site, build, tmp_path, monkeypatch
) -> None:
    root = make_site(posts(4))
    build(root)
    (root / "content/posts/p001.md").write_text(post("Renamed", body="New $y$."))
    write = pipeline.write_outputs

    def delete_cache_then_write(*args, **kwargs):
        for path in sorted((root / STATE_DIR).rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        return write(*args, **kwargs)

    monkeypatch.setattr(pipeline, "write_outputs", delete_cache_then_write)
    assert build(root).errors == []
    monkeypatch.undo()
    (root / "content/posts/p002.md").write_text(post("Second", body="Again $z$."))
    assert build(root).errors == []
    assert tree(tmp_path / "out") == clean_tree(root, tmp_path)


def test_a_build_killed_half_way_leaves_the_next_build_correct(make_site, tmp_path) -> None:
    root = make_site(posts(150))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sitegen.cli", "build", str(root), "-o", str(out), "-j", "1"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(command, check=True, capture_output=True, env=env)
    for rel in ("content/posts/p010.md", "content/posts/p140.md"):
        (root / rel).write_text(post("Edited " + rel, "2023-05-05", "Edited $a$."))
    (root / "content/posts/p100.md").unlink()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    time.sleep(0.5)  # into the build: past start-up, before it can finish
    process.send_signal(signal.SIGKILL)
    process.wait()
    subprocess.run(command, check=True, capture_output=True, env=env)
    expected = clean_tree(root, tmp_path)
    assert tree(out) == expected


def _hold_lock(folder: Path, ready, release) -> None:
    with site_lock(folder):
        ready.set()
        release.wait(30)


def test_a_second_build_of_the_same_site_waits_then_gives_up_clearly(make_site) -> None:
    root = make_site(posts(1))
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(root / STATE_DIR, ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(SiteError) as raised, site_lock(root / STATE_DIR, wait=0.3):
            pass
        assert "another sitegen build of this site is still running" in raised.value.message
    finally:
        release.set()
        holder.join(30)
    with site_lock(root / STATE_DIR, wait=0.3):  # free again once the first build ends
        pass


def test_two_builds_at_once_both_finish_and_never_interleave(make_site, tmp_path) -> None:
    root = make_site(posts(60))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sitegen.cli", "build", str(root), "-o", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE) for _ in range(2)]
    assert [run.wait(120) for run in runs] == [0, 0]
    assert tree(out) == clean_tree(root, tmp_path)


def test_files_sitegen_did_not_write_are_left_alone_and_reported_once(make_site, build, tmp_path):
    root = make_site(posts(2))
    build(root)
    (tmp_path / "out" / "CNAME").write_text("blog.example.org\n")
    (tmp_path / "out" / "old").mkdir()
    (tmp_path / "out" / "old" / "page.html").write_text("left from another tool")
    first = build(root, clean=True)
    assert len(first.notices) == 1 and "2 files sitegen did not write" in first.notices[0]
    assert "CNAME" in first.notices[0] and (tmp_path / "out" / "CNAME").exists()
    (root / "content/posts/p000.md").write_text(post("Changed"))
    assert build(root).notices == []  # said once
    (tmp_path / "out" / "2024/01/p001/notes.txt").write_text("inside a page's own folder")
    # A build with nothing to do answers from the last one without looking into the output
    # folder; the next build with work to do finds the file, however deep.
    (root / "content/posts/p000.md").write_text(post("Changed again"))
    deep = build(root)
    assert len(deep.notices) == 1 and "3 files sitegen did not write" in deep.notices[0]
    assert build(root).notices == []
    cleaned = build(root, clean_output=True)
    assert "removed 3 files sitegen did not write" in cleaned.notices[0]
    assert not (tmp_path / "out" / "CNAME").exists() and not (tmp_path / "out" / "old").exists()


@pytest.mark.parametrize("before", ["absent", "empty"])
def test_a_first_build_into_an_empty_folder_still_notices_files_added_later(
    make_site, build, tmp_path, before
):
    """Such a build does not list the folder it filled, but records its folders as if."""
    root = make_site({**posts(2), "static/img/a/b.png": b"png"})
    if before == "empty":
        (tmp_path / "out").mkdir()
    assert build(root).notices == []
    for rel in ["2024/01/p001/notes.txt", "img/a/c.txt", "img/z.txt"]:
        (tmp_path / "out" / rel).write_text("not sitegen's")
    (root / "content/posts/p000.md").write_text(post("Changed"))  # a build with work to do
    [notice] = build(root).notices
    assert notice.startswith(f"{tmp_path / 'out'} holds 3 files sitegen did not write: ")
    assert "2024/01/p001/notes.txt, img/a/c.txt, img/z.txt (left alone" in notice


def test_a_build_that_changed_nothing_repeats_the_last_errors(make_site, build) -> None:
    root = make_site({**posts(2), "content/posts/bad.md": "---\ntitle: [unclosed\n---\n"})
    first = build(root)
    again = build(root)
    assert first.errors and [str(e) for e in again.errors] == [str(e) for e in first.errors]
    assert again.written == 0


def test_explain_says_why_each_output_was_rendered(make_site, build) -> None:
    root = make_site(posts(5))
    build(root)
    edited = post("New title", "2024-01-02", "Body $x_1^2$.", tags=["t1"])
    (root / "content/posts/p001.md").write_text(edited)
    report = build(root, explain=True)
    reasons = dict(line.split(": ", 1) for line in report.explanations)
    assert reasons["2024/01/p001/index.html"].startswith(
        "what it shows of content/posts/p001.md changed ("
    )
    assert "index.html" in reasons and "2024/01/p002/index.html" in reasons  # lists, neighbours
    assert "2024/01/p004/index.html" not in reasons  # not its neighbour: untouched
    assert len(report.explanations) == report.written


def test_the_cli_prints_one_summary_line_and_rejects_zero_jobs(make_site, capsys) -> None:
    root = make_site(posts(2))
    assert main(["build", str(root), "-j", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert (
        lines[0].startswith("2 posts, ") and " written, " in lines[0] and " removed in " in lines[0]
    )
    with pytest.raises(SystemExit):
        main(["build", str(root), "-j", "0"])


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    quick = io.StringIO()
    Progress(time.perf_counter(), stream=quick).update("rendering", 5, 10)
    assert quick.getvalue() == ""  # a build under a second shows nothing
    plain = io.StringIO()
    long_ago = time.perf_counter() - 5
    Progress(long_ago, stream=plain).update("rendering", 10, 10)
    assert plain.getvalue().startswith("rendering: 10/10 after ")
    bar = Terminal()
    progress = Progress(long_ago, stream=bar)
    progress.update("parsing", 15, 30)
    progress.finish()
    assert "\r" in bar.getvalue() and "[###############---------------] 15/30" in bar.getvalue()


def test_only_the_last_few_sets_of_parse_options_keep_their_parsed_sources(make_site, build):
    root = make_site(posts(2))
    for port in range(8000, 8005):  # as `serve` on five ports: five base URLs
        build(root, base_url=f"http://127.0.0.1:{port}/")
    with sqlite3.connect(root / STATE_DIR / DATABASE) as db:
        kept = db.execute("SELECT COUNT(DISTINCT options), COUNT(*) FROM sources").fetchone()
    assert kept == (3, 6)


def test_a_build_with_nothing_changed_answers_without_the_pipeline(
    make_site, build, tmp_path, monkeypatch
) -> None:
    root = make_site({**posts(3), "templates/404.html": "<p>lost</p>\n"})
    first = build(root)
    time.sleep(0.2)  # past the window in which a file's stat is not trusted (RACY_NS)
    build(root)  # records stats that are old enough to trust

    def must_not_run(*args, **kwargs):
        raise AssertionError("the pipeline ran although nothing changed")

    monkeypatch.setattr(pipeline, "run", must_not_run)
    again = build(root)
    assert (again.posts, again.pages, again.written) == (first.posts, first.pages, 0)
    (root / "templates/404.html").write_text("<p>gone</p>\n")
    monkeypatch.undo()
    assert build(root).written == 1
    assert (tmp_path / "out/404.html").read_text() == "<p>gone</p>\n"


def test_a_post_saved_just_before_a_build_is_checked_by_its_bytes_next_time(
    make_site, build, tmp_path, monkeypatch
) -> None:
    """Its stat could hide a change made in the same clock tick: the next build with nothing
    changed still answers at once if its bytes are those the last build read."""
    root = make_site(posts(3))
    build(root)
    time.sleep(0.2)  # past RACY_NS: every stat trusted from the next build on
    build(root)
    path = root / "content/posts/p001.md"
    path.write_text(post("Saved", "2024-01-02", "Body one."))
    scan, saved = build_module.scan_inputs, path.stat().st_ctime_ns
    scans = []  # the next build scans at the moment of the save, however slow this machine

    def scan_at_save(config):
        scans.append(dataclasses.replace(scan(config), scanned_ns=saved))
        return scans[-1]

    monkeypatch.setattr(build_module, "scan_inputs", scan_at_save)
    assert build(root).written > 0
    monkeypatch.setattr(build_module, "scan_inputs", scan)

    def must_not_run(*args, **kwargs):
        raise AssertionError("the pipeline ran although nothing changed")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "run", must_not_run)
        assert build(root).written == 0
    # New bytes behind the very stats that build saw, as a save in the same tick leaves them:
    path.write_text(post("Saved", "2024-01-02", "Body two."))
    monkeypatch.setattr(build_module, "scan_inputs", lambda config: scans[0])
    assert build(root).written > 0
    assert tree(tmp_path / "out") == clean_tree(root, tmp_path)


def test_sources_stored_in_batches_while_parsing_are_all_kept(make_site, build, monkeypatch):
    root = make_site(posts(7))
    monkeypatch.setattr(pipeline, "WRITE_BATCH", 3)  # two batches during the parse, one after
    build(root)
    with sqlite3.connect(root / STATE_DIR / DATABASE) as db:
        assert db.execute("SELECT COUNT(*) FROM sources").fetchone() == (7,)

    def must_not_parse(file):
        raise AssertionError(f"{file.rel} was parsed again")

    monkeypatch.setattr(pipeline, "_parse_one", must_not_parse)
    (root / "content/posts/p000.md").touch()  # a new stat, the same bytes: still not parsed
    assert build(root).errors == []


def test_sources_parsed_last_are_stored_once_the_render_workers_have_started(
    make_site, build, monkeypatch
):
    """Storing them is the parent's work; done before the workers start, it would keep the
    other cores idle."""
    root = make_site(posts(60))  # parsed and rendered in parallel
    monkeypatch.setattr(pipeline, "WRITE_BATCH", 30)  # the second one is full at the end
    events = []
    monkeypatch.setattr(
        pipeline._Pool,
        "__init__",
        lambda self, *a, **k: (
            events.append("pool") or multiprocessing.pool.Pool.__init__(self, *a, **k)
        ),
    )
    store = pipeline.Cache.update_sources
    monkeypatch.setattr(
        pipeline.Cache,
        "update_sources",
        lambda self, *a: events.append(f"store {len(a[1])}") or store(self, *a),
    )
    build(root, jobs=2)
    # parse workers, a batch stored while they parse, render workers, the last batch
    assert events == ["pool", "store 30", "pool", "store 30"]


def test_a_build_that_fails_to_render_keeps_what_it_parsed(make_site, build, monkeypatch):
    root = make_site({**posts(3), "templates/post.html": "{% if %}\n"})
    with pytest.raises(BuildFailed):
        build(root)
    (root / "templates" / "post.html").unlink()

    def must_not_parse(file):
        raise AssertionError(f"{file.rel} was parsed again")

    monkeypatch.setattr(pipeline, "_parse_one", must_not_parse)
    assert build(root).errors == []


def test_a_strict_build_parses_each_source_once(make_site, build, monkeypatch):
    root = make_site(posts(3))
    parsed = []
    parse_one = pipeline._parse_one
    monkeypatch.setattr(
        pipeline, "_parse_one", lambda file: parsed.append(file.rel) or parse_one(file)
    )
    build(root, strict=True, jobs=1)
    assert sorted(parsed) == sorted(posts(3))
    parsed.clear()
    (root / "content/posts/p001.md").write_text(post("Changed", "2024-01-02"), encoding="utf-8")
    build(root, strict=True, jobs=1)
    assert parsed == ["content/posts/p001.md"]


def test_parse_results_lost_from_the_cache_are_parsed_again(make_site, build, tmp_path):
    root = make_site(posts(5))
    build(root)
    with sqlite3.connect(root / STATE_DIR / DATABASE) as db:
        db.execute("DELETE FROM parsed WHERE rel LIKE '%p001.md' OR rel LIKE '%p003.md'")
    (root / "content/posts/p000.md").write_text(post("Edited", "2024-01-01", "New $y$."))
    assert build(root).errors == []
    assert tree(tmp_path / "out") == clean_tree(root, tmp_path)


def test_an_edited_post_is_parsed_by_a_worker_while_this_process_reads_the_rest(
    make_site, build, monkeypatch
):
    """Parsing one post is 0.15 s of importing markdown-it and compiling Pygments' lexers;
    reading 10,000 cached ones is 0.3 s: done at the same time, the first costs nothing."""
    root = make_site(posts(60))
    build(root, jobs=2)
    (root / "content/posts/p007.md").write_text(post("Edited", "2024-01-08", "New $y$."))
    events = []
    monkeypatch.setattr(
        pipeline._Pool,
        "__init__",
        lambda self, processes, *a, **k: (
            events.append(f"pool of {processes}")
            or multiprocessing.pool.Pool.__init__(self, processes, *a, **k)
        ),
    )
    parsed = pipeline.Cache.parsed
    monkeypatch.setattr(
        pipeline.Cache, "parsed", lambda self, *a: events.append("read") or parsed(self, *a)
    )
    monkeypatch.setattr(sys.modules[__name__], "_BUILDING", os.getpid())
    monkeypatch.setattr(pipeline, "_parse_one", _parse_elsewhere)
    assert build(root, jobs=2).written > 0
    assert events[:2] == ["pool of 1", "read"]


_BUILDING = None  # the building process, which must not parse
_PARSE_ONE = pipeline._parse_one


def _parse_elsewhere(file):
    assert os.getpid() != _BUILDING, "parsed by the building process"
    return _PARSE_ONE(file)


def test_the_stamp_is_stored_once_and_read_back_with_the_state(make_site, build):
    """1.3 MB of output stats at 10,000 posts: stored in its own column, read first."""
    root = make_site(posts(3))
    build(root)
    with sqlite3.connect(root / STATE_DIR / DATABASE) as db:
        output, stamp, state = db.execute("SELECT output, stamp, state FROM builds").fetchone()
    assert "stamp" not in marshal.loads(state)
    cache = Cache(root / STATE_DIR)
    try:
        assert cache.state(output)["stamp"] == marshal.loads(stamp)
    finally:
        cache.close()


def test_pages_rendered_again_do_not_evaluate_what_the_build_knows(make_site, build, monkeypatch):
    """The archive of 10,000 posts reads 10,000 deps: those of unchanged posts have the
    values the comparison with the last build found, and are not evaluated again."""
    root = make_site(posts(12))
    build(root)
    (root / "content/posts/p005.md").write_text(post("Renamed", "2024-01-06", "Body $x_5^2$."))
    evaluated, rendering = [], []
    evaluate = pipeline.depends.evaluate
    monkeypatch.setattr(
        pipeline.depends,
        "evaluate",
        lambda dep, *a: (rendering and evaluated.append(dep[0])) or evaluate(dep, *a),
    )
    render = pipeline._render
    monkeypatch.setattr(pipeline, "_render", lambda *a: rendering.append(True) or render(*a))
    assert build(root, jobs=1).written > 0  # the archive, the lists, the neighbours...
    others = {key for key in evaluated if key[0] == "doc" and key[1] != "content/posts/p005.md"}
    assert rendering and others == set()
