"""The MathJax config string: a valid JS object literal that says what the browser tests rely on."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.mathjax import (
    MATHJAX_3_EXTENSIONS,
    SCOPE_ATTRIBUTE,
    V2_EXTENSIONS,
    V2_REQUIRE_PACKAGE,
    mathjax_config,
)

REPO = Path(__file__).resolve().parent.parent
EXTENSIONS = REPO / "node_modules/mathjax/es5/input/tex/extensions"

# Reads one JSON-encoded JS source per line, evaluates it as an expression and
# answers with its JSON (functions become the string "function").
EVALUATOR = """
const lines = require("readline").createInterface({input: process.stdin});
lines.on("line", (line) => {
  const value = (0, eval)("(" + JSON.parse(line) + ")");
  const replacer = (key, v) => (typeof v === "function" ? "function" : v);
  console.log(JSON.stringify(value, replacer));
});
"""


@pytest.fixture(scope="module")
def evaluate_js() -> Iterator[Callable[[str], object]]:
    """Evaluate JS expressions in one long-lived Node process."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing — scripts/test.sh expects Node 20 with npm")
    process = subprocess.Popen(
        [node, "-e", EVALUATOR], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdin is not None and process.stdout is not None

    def evaluate(source: str) -> object:
        process.stdin.write(json.dumps(source) + "\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())

    yield evaluate
    process.stdin.close()
    process.wait()


def test_config_says_what_mathjax_must_do(evaluate_js: Callable[[str], object]) -> None:
    config = evaluate_js(mathjax_config({"RR": r"\mathbb{R}"}, "ams"))
    assert config == {
        "options": {"ignoreHtmlClass": ".*", "processHtmlClass": "math"},
        "startup": {"pageReady": "function", "ready": "function"},
        "tex": {
            "displayMath": [[r"\[", r"\]"]],
            "inlineMath": [[r"\(", r"\)"]],
            "macros": {"RR": r"\mathbb{R}"},
            "packages": {"[+]": [V2_REQUIRE_PACKAGE]},
            "processEnvironments": True,
            "processEscapes": False,
            "require": {
                "allow": dict.fromkeys(MATHJAX_3_EXTENSIONS, True),
                "defaultAllow": False,
            },
            "tags": "ams",
        },
    }


@pytest.mark.parametrize("tags", ["ams", "none", "all"])
def test_tags_pass_through(evaluate_js: Callable[[str], object], tags: str) -> None:
    assert evaluate_js(mathjax_config({}, tags))["tex"]["tags"] == tags


# Runs the config's startup.pageReady against a stand-in page and MathJax (argv:
# the config, then the page as JSON: each formula's scope, null for none, and
# the marked elements' attribute values). Every render takes a timer tick, as
# MathJax's does when it loads a font or extension. Prints what happened.
PAGE_READY_HARNESS = """
const [config, page] = process.argv.slice(1).map((arg, i) => i ? JSON.parse(arg) : arg);
const log = [];
const scopes = page.scopes.map((value) => ({getAttribute: () => value}));
const formulas = page.math.map(([name, scope]) =>
  ({name: name, closest: () => (scope === null ? null : scopes[scope])}));
global.document = {
  querySelectorAll: (selector) => (selector === ".math" ? formulas : scopes),
};
const tags = {};
const items = [{inputData: {recompile: {}}}, {inputData: {}}];
const doc = {
  options: {elements: null},
  inputJax: [{name: "TeX", parseOptions: {tags: tags}}],
  math: items,
  reset: () => log.push("reset document"),
  render: () => log.push("render " + doc.options.elements.map((e) => e.name).join(" ")
    + " as " + (tags.formatId ? tags.formatId("eq 1") : "page")),
};
global.MathJax = {
  startup: {
    document: doc,
    defaultPageReady: () => { log.push("default"); return Promise.resolve(); },
  },
  texReset: () => log.push("texReset"),
  _: {mathjax: {mathjax: {handleRetriesFor: (render) =>
    new Promise((resolve) => setTimeout(() => { render(); resolve(); }, 1))}}},
};
(0, eval)("(" + config + ")").startup.pageReady().then(() => {
  log.push("resolved");
  console.log(JSON.stringify({
    log: log,
    elements: doc.options.elements,
    formatId: "formatId" in tags,
    recompile: items.some((item) => "recompile" in item.inputData),
  }));
});
"""


def run_page_ready(math: list[tuple[str, int | None]], scopes: list[str]) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing — scripts/test.sh expects Node 20 with npm")
    page = json.dumps({"math": math, "scopes": scopes})
    done = subprocess.run(
        [node, "-e", PAGE_READY_HARNESS, mathjax_config({}, "ams"), page],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_page_without_scopes_is_typeset_as_mathjax_would() -> None:
    assert run_page_ready([("a", None), ("b", None)], []) == {
        "log": ["default", "resolved"],
        "elements": None,
        "formatId": False,
        "recompile": True,
    }


def test_each_scope_is_typeset_in_turn_with_its_own_labels() -> None:
    math = [("a1", 0), ("a2", 0), ("title", None), ("b1", 1), ("c1", 2)]
    assert run_page_ready(math, ["", "", "intro"]) == {
        "log": [
            "texReset",
            "reset document",
            "render a1 a2 as mjx-eqn:1:eq_1",
            "texReset",
            "reset document",
            "render title as page",
            "texReset",
            "reset document",
            "render b1 as mjx-eqn:2:eq_1",
            "texReset",
            "reset document",
            "render c1 as mjx-eqn:intro:eq_1",
            # MathJax.startup.promise follows this promise: only now may it resolve.
            "resolved",
        ],
        "elements": None,
        "formatId": False,
        # A formula compiled twice for a forward \eqref is not compiled again later.
        "recompile": False,
    }


def test_the_theme_marks_each_excerpt_as_a_scope() -> None:
    template = (REPO / "themes/default/templates/list.html").read_text(encoding="utf-8")
    excerpt = re.search(r"<div class=\"entry-excerpt[^>]*>", template)
    assert excerpt is not None
    assert SCOPE_ATTRIBUTE in excerpt.group(0)


def mathjax_class_pattern(option: str) -> re.Pattern[str]:
    """How MathJax 3.2 (HTMLDomStrings.getPatterns) turns a class option into a regex."""
    return re.compile("(?:^| )(?:" + option + ")(?: |$)")


@pytest.mark.parametrize("classes", ["", "post", "entry-content wide", "math-note"])
def test_every_other_element_is_ignored(classes: str) -> None:
    # <body> usually has no class at all: the empty attribute must match too,
    # or MathJax would search the whole page.
    assert mathjax_class_pattern(".*").search(classes)
    assert not mathjax_class_pattern("math").search(classes)


@pytest.mark.parametrize("classes", ["math inline", "math display", "note math"])
def test_math_elements_are_processed(classes: str) -> None:
    assert mathjax_class_pattern("math").search(classes)


def test_v2_names_map_to_mathjax_3_packages(evaluate_js: Callable[[str], object]) -> None:
    config = mathjax_config({}, "ams")
    aliases = re.search(r"var v2 = (\{.*?\});", config)
    assert aliases is not None
    assert evaluate_js(aliases.group(1)) == {k: list(v) for k, v in V2_EXTENSIONS.items()}


def test_every_extension_mathjax_ships_may_be_required() -> None:
    if not EXTENSIONS.is_dir():
        pytest.fail(f"{EXTENSIONS} is missing — run scripts/test.sh (it runs npm ci)")
    shipped = {path.stem for path in EXTENSIONS.glob("*.js")}
    refused_by_mathjax = {"all-packages", "autoload", "configmacros", "setoptions", "tagformat"}
    assert set(MATHJAX_3_EXTENSIONS) == shipped - refused_by_mathjax


def test_output_does_not_depend_on_macro_order() -> None:
    forward = {"a": "1", "b": ["#1", 1], "c": "3"}
    backward = dict(reversed(list(forward.items())))
    assert mathjax_config(forward, "ams") == mathjax_config(backward, "ams")


def test_no_macro_can_end_the_inline_script(evaluate_js: Callable[[str], object]) -> None:
    macros = {"evil": "</script><script>alert(1)</script>", "comment": "<!--"}
    config = mathjax_config(macros, "ams")
    assert "<" not in config
    assert evaluate_js(config)["tex"]["macros"] == macros


macro_names = st.from_regex(r"[A-Za-z]+", fullmatch=True)
macro_values = st.text() | st.tuples(st.text(), st.integers(1, 9)).map(list)


@given(st.dictionaries(macro_names, macro_values, max_size=5))
def test_macros_reach_mathjax_unchanged(
    evaluate_js: Callable[[str], object], macros: dict[str, str | list]
) -> None:
    assert evaluate_js(mathjax_config(macros, "ams"))["tex"]["macros"] == macros
