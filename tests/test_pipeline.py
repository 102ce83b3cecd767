"""The worker pool of sitegen.pipeline: in order, and quiet while results flow."""

from __future__ import annotations

import multiprocessing.pool
import time

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
