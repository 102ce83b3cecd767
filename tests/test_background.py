"""A result worked out by a forked child: the same as worked out here, and worked out here
when the child fails or cannot be forked."""

from __future__ import annotations

import os

import pytest

from sitegen.background import Background


def test_the_child_works_it_out_and_the_result_comes_back() -> None:
    here = os.getpid()
    assert Background(lambda: {"a/index.html", str(os.getpid() != here)}).result() == {
        "a/index.html",
        "True",  # worked out by another process
    }


def test_a_child_that_fails_leaves_the_work_to_this_process() -> None:
    here = os.getpid()

    def work() -> str:
        if os.getpid() != here:
            raise RuntimeError("the child fails")
        return "done here"

    assert Background(work).result() == "done here"


def test_one_core_works_it_out_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    here = os.getpid()
    assert Background(lambda: os.getpid() == here).result() is True
