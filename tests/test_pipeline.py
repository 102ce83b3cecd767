"""The worker pool of sitegen.pipeline: in order, in runs that shrink as the work runs out,
and quiet while results flow."""

from __future__ import annotations

import gc
import multiprocessing.pool
import os
import time

from hypothesis import given
from hypothesis import strategies as st

from sitegen import pipeline
from sitegen.progress import Progress


def _payload(number: int) -> tuple[int, bytes]:
    return number, bytes(5000)


def test_the_pool_watcher_sleeps_while_results_flow(monkeypatch) -> None:
    """CPython's pool thread that watches the workers also woke for every result waiting to
    be read, and spun while this process was busy: hundreds of wake-ups for a short map."""
    wakeups = []
    maintain = multiprocessing.pool.Pool._maintain_pool

    def counted(*args):
        wakeups.append(time.perf_counter())
        return maintain(*args)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_maintain_pool", staticmethod(counted))
    work = pipeline._Work(config=None)  # type: ignore[arg-type]
    progress = Progress(time.perf_counter(), enabled=False)
    results = []
    for result in pipeline._map(_payload, list(range(400)), 2, progress, "test", work):
        time.sleep(0.0005)  # a parent with work of its own, as while parsing
        results.append(result[0])
    assert results == list(range(400))
    assert 1 <= len(wakeups) <= 5


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=8))
def test_runs_hold_every_item_in_order_and_shrink_to_one(count: int, jobs: int) -> None:
    runs = pipeline._runs(list(range(count)), jobs)
    assert [item for run in runs for item in run] == list(range(count))
    sizes = [len(run) for run in runs]
    assert all(1 <= size <= pipeline.MAX_RUN for size in sizes)
    assert sizes == sorted(sizes, reverse=True)  # long runs first, short ones last
    assert sizes[-jobs * 4 :] == [1] * min(count, jobs * 4)  # the last ones single items
    assert len(runs) <= count // pipeline.MAX_RUN + jobs * 4 * (count.bit_length() + 1)


def test_items_are_done_by_the_workers_in_runs(monkeypatch) -> None:
    """A few messages for a big map: not one per item."""
    sent = []
    imap = multiprocessing.pool.Pool.imap
    monkeypatch.setattr(
        multiprocessing.pool.Pool,
        "imap",
        lambda self, function, tasks, *a: (
            sent.append(tasks := list(tasks)) or imap(self, function, tasks, *a)
        ),
    )
    work = pipeline._Work(config=None)  # type: ignore[arg-type]
    progress = Progress(time.perf_counter(), enabled=False)
    results = [
        result[0]
        for result in pipeline._map(_payload, list(range(1000)), 2, progress, "test", work)
    ]
    assert results == list(range(1000))
    assert [len(run) for run in sent[0]] == [len(run) for run in pipeline._runs(results, 2)]


def _collector(number: int) -> tuple[int, bool, int]:
    return number, gc.isenabled(), gc.get_threshold()[0]


def test_workers_collect_garbage_seldom_under_a_parent_that_does_not() -> None:
    work = pipeline._Work(config=None)  # type: ignore[arg-type]
    progress = Progress(time.perf_counter(), enabled=False)
    enabled = gc.isenabled()
    gc.disable()  # as a build does in the parent
    try:
        results = list(pipeline._map(_collector, list(range(100)), 2, progress, "test", work))
    finally:
        if enabled:
            gc.enable()
    assert {(on, threshold) for _, on, threshold in results} == {(True, 20_000)}


_warmed: list[int] = []  # what the first item set up, in the process that did it


def _warming(number: int) -> tuple[int, int, list[int]]:
    if not _warmed:
        _warmed.append(number)
    return number, os.getpid(), list(_warmed)


def test_a_warm_map_does_its_first_item_here_and_the_workers_inherit_what_it_set_up() -> None:
    work = pipeline._Work(config=None)  # type: ignore[arg-type]
    progress = Progress(time.perf_counter(), enabled=False)
    items = list(range(pipeline.MIN_PARALLEL))
    try:
        results = list(pipeline._map(_warming, items, 2, progress, "test", work, warm=True))
    finally:
        _warmed.clear()
    assert [number for number, _, _ in results] == items
    assert [pid == os.getpid() for _, pid, _ in results] == [True] + [False] * (len(items) - 1)
    assert {tuple(warmed) for _, _, warmed in results} == {(0,)}


def test_a_warm_map_of_a_few_items_leaves_them_all_to_a_worker() -> None:
    """So that what the caller does meanwhile runs alongside (reading the cache)."""
    work = pipeline._Work(config=None)  # type: ignore[arg-type]
    progress = Progress(time.perf_counter(), enabled=False)
    results = list(
        pipeline._map(_warming, [0, 1], 2, progress, "test", work, parallel=True, warm=True)
    )
    assert _warmed == [] and all(pid != os.getpid() for _, pid, _ in results)
