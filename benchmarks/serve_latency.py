"""How long `sitegen serve` takes from a post's save to its tab's reload event (a benchmark,
not a test).

    python benchmarks/serve_latency.py --posts 1000 --runs 9

The corpus is generated at run time into a temporary folder by
benchmarks/corpus.py, or by the generator given with --corpus-script (any
script taking `--target sitegen --posts N --out DIR`, such as the shared
make_corpus.py); without one the benchmark says so and stops.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sitegen.livereload import EVENTS_URL
from sitegen.serve import PreviewServer, start_server

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_SCRIPT = REPO / "benchmarks" / "corpus.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--corpus-script", type=Path, default=DEFAULT_CORPUS_SCRIPT)
    args = parser.parse_args()
    if not args.corpus_script.is_file():
        print(f"skipped: no corpus generator at {args.corpus_script} (pass --corpus-script)")
        return 0

    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as folder:
        site = Path(folder) / "site"
        generate = [sys.executable, str(args.corpus_script), "--target", "sitegen"]
        generate += ["--posts", str(args.posts), "--out", str(site)]
        subprocess.run(generate, check=True, stdout=subprocess.DEVNULL)
        with contextlib.redirect_stdout(io.StringIO()), start_server(site, port=0) as server:
            first_build = server.rebuilds[0].milliseconds
            latencies, builds = measure(server, args.runs)
    print(f"{args.posts} posts: first build {first_build:.0f} ms")
    print("save → reload event, ms: " + ", ".join(f"{ms:.0f}" for ms in latencies))
    print(
        f"median {statistics.median(latencies):.0f} ms, of which rebuilding and copying to the"
        f" served folder {statistics.median(builds):.0f} ms (the rest: quiet period, watcher)"
    )
    return 0


def measure(server: PreviewServer, runs: int) -> tuple[list[float], list[float]]:
    """Edit one post `runs` times; each time, the wall time until its tab hears `reload`."""
    source = sorted((server.root / "content").rglob("*.md"))[len(server.rebuilds) // 2]
    original = source.read_text(encoding="utf-8")
    source.write_text(original + "\n\nBenchmark marker.\n", encoding="utf-8")
    server.wait_for_build(2)
    [page] = [p for p in server.output.rglob("*.html") if b"Benchmark marker." in p.read_bytes()]
    rel = page.relative_to(server.output).as_posix().removesuffix("index.html")
    stream = open_tab(server, server.base_path + rel)

    latencies, builds = [], []
    for run in range(runs):
        builds_before = len(server.rebuilds)
        source.write_text(original + f"\n\nBenchmark edit {run}.\n", encoding="utf-8")
        saved = time.perf_counter()
        wait_for_reload(stream)
        latencies.append((time.perf_counter() - saved) * 1000)
        builds.append(server.wait_for_build(builds_before + 1).milliseconds)
    source.write_text(original, encoding="utf-8")
    return latencies, builds


def open_tab(server: PreviewServer, path: str) -> http.client.HTTPResponse:
    """What a browser tab does: load the page, then open its event stream."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    connection.request("GET", path)
    html = connection.getresponse().read()
    epoch, session = re.search(rb'data-epoch="(\d+)" data-session="(\w+)"', html).groups()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    query = f"path={path}&epoch={epoch.decode()}&session={session.decode()}"
    connection.request("GET", f"{EVENTS_URL}?{query}")
    return connection.getresponse()


def wait_for_reload(stream: http.client.HTTPResponse) -> None:
    name = None
    while True:
        line = stream.fp.readline().decode()
        if line.startswith("event: "):
            name = line.removeprefix("event: ").strip()
        elif line.startswith("data: ") and name == "reload":
            json.loads(line.removeprefix("data: "))
            return


if __name__ == "__main__":
    sys.exit(main())
