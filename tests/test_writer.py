"""The writer never writes outside the output folder, whatever symlinks lie inside it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.writer import (
    OutsideOutput,
    folders_holding,
    forget_folders,
    holds_nothing,
    list_output,
    write_outputs,
)


@pytest.fixture(autouse=True)
def _fresh_folder_answers():
    forget_folders()  # each test makes its own folders and symlinks
    yield
    forget_folders()


def test_pages_go_into_new_folders_at_any_depth(tmp_path: Path) -> None:
    out = tmp_path / "public"
    files = {"index.html": b"home", "posts/a/index.html": b"a", "posts/b/c/index.html": b"c"}
    stats = write_outputs(out, dict(files), files, [])
    assert sorted(stats.written) == sorted(files)
    assert {rel: (out / rel).read_bytes() for rel in files} == files


@pytest.mark.parametrize("depth", ["posts", "posts/deeper"])
def test_a_symlinked_folder_that_leads_outside_is_never_written_through(
    tmp_path: Path, depth: str
) -> None:
    out, outside = tmp_path / "public", tmp_path / "elsewhere"
    outside.mkdir()
    (out / depth).parent.mkdir(parents=True, exist_ok=True)
    (out / depth).symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutsideOutput):
        write_outputs(out, {f"{depth}/a/index.html": b"a", "index.html": b"home"}, [], [])
    assert list(outside.iterdir()) == []
    assert not (out / "index.html").exists()  # nothing of a failed write lands


def test_a_symlinked_folder_that_stays_inside_is_written_through(tmp_path: Path) -> None:
    out = tmp_path / "public"
    (out / "real").mkdir(parents=True)
    (out / "alias").symlink_to(out / "real", target_is_directory=True)
    write_outputs(out, {"alias/a/index.html": b"a"}, [], [])
    assert (out / "real" / "a" / "index.html").read_bytes() == b"a"


def test_a_folder_replaced_by_a_symlink_between_builds_is_seen(tmp_path: Path) -> None:
    out, outside = tmp_path / "public", tmp_path / "elsewhere"
    outside.mkdir()
    write_outputs(out, {"posts/a/index.html": b"a"}, [], [])
    (out / "posts" / "a" / "index.html").unlink()
    (out / "posts" / "a").rmdir()
    (out / "posts").rmdir()
    (out / "posts").symlink_to(outside, target_is_directory=True)
    forget_folders()  # what a new build does
    with pytest.raises(OutsideOutput):
        write_outputs(out, {"posts/a/index.html": b"a"}, [], [])
    assert list(outside.iterdir()) == []


def test_a_folder_another_worker_makes_meanwhile_is_fine(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "public"
    out.mkdir()
    real_mkdir = os.mkdir
    raced = []

    def mkdir_while_another_worker_does(path, *args):
        if str(path).endswith("/a/b") and not raced:
            raced.append(path)  # the parent was missing; now the other worker makes both
            os.makedirs(path)
            raise FileNotFoundError(path)
        return real_mkdir(path, *args)

    monkeypatch.setattr(os, "mkdir", mkdir_while_another_worker_does)
    write_outputs(out, {"a/b/index.html": b"page"}, [], [])
    assert raced
    assert (out / "a" / "b" / "index.html").read_bytes() == b"page"


def test_a_write_the_system_cuts_short_goes_on_where_it_stopped(tmp_path: Path, monkeypatch):
    real_write = os.write
    calls = []

    def at_most_7_bytes(fd, data):
        calls.append(fd)
        return real_write(fd, bytes(data[:7]))  # a signal or a full pipe can do this

    monkeypatch.setattr(os, "write", at_most_7_bytes)
    page = "页面 page ".encode() * 10
    write_outputs(tmp_path / "public", {"index.html": page}, [], [])
    assert (tmp_path / "public" / "index.html").read_bytes() == page
    assert len(calls) == -(-len(page) // 7)


def test_folders_holding_files_are_those_a_listing_records(tmp_path: Path) -> None:
    files = ["index.html", "a/b/c.html", "a/d.html", ".well-known/x", "e/.hidden/f", "g/h/i/j"]
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    assert folders_holding(tmp_path, files) == list_output(tmp_path, {}).folders


def test_holds_nothing(tmp_path: Path) -> None:
    assert holds_nothing(tmp_path / "absent") and holds_nothing(tmp_path)
    (tmp_path / ".git").mkdir()
    assert not holds_nothing(tmp_path)
