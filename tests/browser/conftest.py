"""Browser fixtures: built sites served on 127.0.0.1, read by Debian's Chromium with real MathJax.

MathJax is not fetched from its CDN: every request under the configured
`mathjax_url`'s folder is answered from `node_modules/mathjax/es5/` (so the
components and fonts it loads later come from there too), the site's own
server is let through, and any other request is aborted. The pages under test
are therefore byte for byte what `sitegen build` writes for production.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sysconfig
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from sitegen.config import load_config

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
MATHJAX_ES5 = REPO / "node_modules" / "mathjax" / "es5"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A MathJax that stalls must fail the test, not hang it.
TIMEOUT_MS = 20_000
SETUP_HINT = "run scripts/test.sh (it installs Chromium, MathJax and sitegen)"

# The page's own config object is window.MathJax until MathJax replaces it;
# startup.promise exists only once MathJax itself has loaded.
MATHJAX_LOADED_JS = "() => !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"

# Waits (at most timeoutMs) for MathJax's startup promise to settle, then
# returns what a test checks. Errors are read from MathJax's own math list: a TeX error is an
# <merror> (with noerrors, its message is only in data-mjx-error), and an
# undefined macro, with noundefined, is a red <mtext> holding the macro name.
REPORT_JS = """async (timeoutMs) => {
  let failure = null;
  const stalled = new Promise((resolve) => setTimeout(() => {
    failure = "still typesetting after " + timeoutMs + " ms";
    resolve();
  }, timeoutMs));
  const settled = MathJax.startup.promise.catch((error) => { failure = String(error); });
  await Promise.race([settled, stalled]);
  const errors = [];
  const unresolved = [];
  const items = MathJax.startup.document ? Array.from(MathJax.startup.document.math) : [];
  for (const item of items) {
    if (!item.root) continue;  // never compiled: reported as not typeset below
    item.root.walkTree((node) => {
      if (node.isKind("merror")) {
        errors.push(node.attributes.get("data-mjx-error") + " in " + item.math);
      } else if (node.isToken) {
        const text = node.getText();
        if (node.isKind("mtext") && node.attributes.get("mathcolor") === "red"
            && text.startsWith("\\\\")) {
          errors.push("undefined " + text + " in " + item.math);
        }
        if (text.includes("???")) unresolved.push(item.math);
      }
    });
  }
  const elements = Array.from(document.querySelectorAll(".math"));
  return {
    failure: failure,
    errors: errors,
    unresolved: unresolved,
    math: elements.length,
    untypeset: elements.filter((e) => !e.querySelector("mjx-container")).map((e) => e.textContent),
    containers: document.querySelectorAll("mjx-container").length,
    scroll_width: document.documentElement.scrollWidth,
  };
}"""


@dataclass(frozen=True)
class Typeset:
    """What MathJax did to one page."""

    url: str
    failure: str | None  # why the startup promise rejected, if it did
    errors: list[str]  # TeX errors and undefined macros, each with its formula
    unresolved: list[str]  # formulas showing "???" (an \eqref to no \label)
    math: int  # elements with class "math"
    untypeset: list[str]  # text of .math elements MathJax left alone
    containers: int  # every mjx-container on the page, inside .math or not
    scroll_width: int
    page_errors: list[str]  # uncaught exceptions in the page

    def problems(self) -> list[str]:
        """Everything wrong with the page's math, as readable lines (empty when fine)."""
        found = [f"typesetting failed: {self.failure}"] if self.failure else []
        found += [f"TeX error: {error}" for error in self.errors]
        found += [f"unresolved reference in: {tex}" for tex in self.unresolved]
        found += [f"not typeset: {text[:80]}" for text in self.untypeset]
        found += [f"page error: {error}" for error in self.page_errors]
        return [f"{self.url}: {line}" for line in found]


@dataclass(frozen=True)
class ServedSite:
    """A built site on a local server; `url(path)` addresses an output file."""

    output: Path
    origin: str
    base_path: str
    mathjax_url: str

    def url(self, path: Path) -> str:
        rel = path.relative_to(self.output).as_posix()
        rel = rel.removesuffix("index.html")
        return f"{self.origin}{self.base_path}{rel}"

    def html_files(self, containing: str = "") -> list[Path]:
        """The site's HTML files whose text contains `containing`, in path order."""
        return sorted(
            path
            for path in self.output.rglob("*.html")
            if containing in path.read_text(encoding="utf-8")
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium; never a downloaded browser."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing — {SETUP_HINT}")
    if not (MATHJAX_ES5 / "tex-chtml-full.js").exists():
        pytest.fail(f"{MATHJAX_ES5} is missing — {SETUP_HINT}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def serve_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], ServedSite]]:
    """Build a site folder with `sitegen build SITE -o OUT` and serve OUT at its base path."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(site: Path) -> ServedSite:
        config = load_config(site)
        output = tmp_path_factory.mktemp("public")
        _build(site, output)
        handler = functools.partial(_SubPathHandler, directory=output, base_path=config.base_path)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return ServedSite(
            output=output,
            origin=f"http://127.0.0.1:{server.server_address[1]}",
            base_path=config.base_path,
            mathjax_url=config.math.mathjax_url,
        )

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def example_site(serve_site: Callable[[Path], ServedSite]) -> ServedSite:
    """The example blog at the repository root, built once per test session."""
    return serve_site(REPO)


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., tuple[Page, Typeset]]]:
    """Open a URL of a served site in one reusable page and wait until MathJax is done."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    routed: set[str] = set()

    def open_(site: ServedSite, path: Path, width: int = 1280) -> tuple[Page, Typeset]:
        if site.origin not in routed:
            context.route(_routes_for(site), functools.partial(_answer, site))
            routed.add(site.origin)
        page.set_viewport_size({"width": width, "height": 800})
        page_errors.clear()
        url = site.url(path)
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_function(MATHJAX_LOADED_JS)
        report = page.evaluate(REPORT_JS, TIMEOUT_MS)
        return page, Typeset(url=url, page_errors=list(page_errors), **report)

    yield open_
    context.close()


def _routes_for(site: ServedSite) -> Callable[[str], bool]:
    # Intercept everything but the site's own server: MathJax is answered from
    # node_modules, the rest (fonts, analytics, ...) aborted.
    return lambda url: not url.startswith(site.origin + "/")


def _answer(site: ServedSite, route: Route) -> None:
    prefix = site.mathjax_url.rsplit("/", 1)[0] + "/"
    url = route.request.url.split("?", 1)[0]
    if url.startswith(prefix):
        path = (MATHJAX_ES5 / url.removeprefix(prefix)).resolve()
        if path.is_relative_to(MATHJAX_ES5) and path.is_file():
            route.fulfill(path=path)
        else:
            route.fulfill(status=404)
    else:
        route.abort()


def _build(site: Path, output: Path) -> None:
    command = Path(sysconfig.get_path("scripts")) / "sitegen"
    if not command.exists():
        pytest.fail(f"the sitegen command is not installed — {SETUP_HINT}")
    done = subprocess.run(
        [str(command), "build", str(site), "-o", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"sitegen build {site} failed:\n{done.stdout}{done.stderr}")


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder at the site's base path, as the real host would."""

    def __init__(self, *args: object, directory: Path, base_path: str, **kwargs: object) -> None:
        self.base_path = base_path
        super().__init__(*args, directory=str(directory), **kwargs)

    def send_head(self) -> BinaryIO | None:
        if not self.path.startswith(self.base_path):
            self.send_error(404)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        return super().translate_path("/" + path.removeprefix(self.base_path))

    def log_message(self, *args: object) -> None:
        """Quiet: a test reports what matters."""
