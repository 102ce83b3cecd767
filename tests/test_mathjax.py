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
    V2_EXTENSIONS,
    V2_REQUIRE_PACKAGE,
    mathjax_config,
)

EXTENSIONS = (
    Path(__file__).resolve().parent.parent / "node_modules/mathjax/es5/input/tex/extensions"
)

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
        "startup": {"ready": "function"},
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
