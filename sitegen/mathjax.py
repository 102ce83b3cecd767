"""Build the MathJax 3 configuration object that a page with math loads."""

from __future__ import annotations

import json
from collections.abc import Mapping

# MathJax 2 extension names that posts still `\require`, and the MathJax 3
# packages providing the same macros. MathJax 3 would fetch `[tex]/HTML.js`
# (a missing file, which rejects the typeset promise and leaves the whole
# page raw) and rejects `autoload-all` as a package name, so these names are
# resolved before MathJax's own `\require` sees them. Names whose spelling
# did not change (color, cancel, mhchem, ...) need no entry. `begingroup` has
# no MathJax 3.2 counterpart, so requiring it loads nothing.
V2_EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "AMScd": ("amscd",),
    "AMSmath": ("ams",),
    "AMSsymbols": ("ams",),
    "HTML": ("html",),
    "autoload-all": (),
    "begingroup": (),
    "noErrors": ("noerrors",),
    "noUndefined": ("noundefined",),
}

# Every extension MathJax 3.2 can `\require` (its es5/input/tex/extensions,
# less those it refuses by default: all-packages, autoload, configmacros,
# setoptions, tagformat). Only these are allowed, so a misspelt name is an
# error in its own formula instead of a fetch that fails and stops the page.
MATHJAX_3_EXTENSIONS = (
    "action", "ams", "amscd", "bbox", "boldsymbol", "braket", "bussproofs", "cancel",
    "cases", "centernot", "color", "colortbl", "colorv2", "empheq", "enclose", "extpfeil",
    "gensymb", "html", "mathtools", "mhchem", "newcommand", "noerrors", "noundefined",
    "physics", "require", "textcomp", "textmacros", "unicode", "upgreek", "verb",
)  # fmt: skip

# The TeX package that carries the v2-aware `\require`.
V2_REQUIRE_PACKAGE = "sitegen-v2-require"

# Runs once MathJax's components are loaded and before the TeX input jax is
# built: defines a `\require` that maps v2 names and hands every other name
# back to MathJax's own `\require` (priority 4 puts it before the default 5).
_READY = """function () {
  var tex = MathJax._.input.tex;
  var require = tex.require.RequireConfiguration;
  var v2 = %(aliases)s;
  new tex.SymbolMap.CommandMap(%(package)s, {require: "Require"}, {
    Require: function (parser, name) {
      var start = parser.i;
      var extension = parser.GetArgument(name);
      if (!Object.prototype.hasOwnProperty.call(v2, extension)) {
        parser.i = start;
        return require.RequireMethods.Require(parser, name);
      }
      v2[extension].forEach(function (v3) { require.RequireLoad(parser, v3); });
    }
  });
  tex.Configuration.Configuration.create(%(package)s, {
    handler: {macro: [%(package)s]}, priority: 4
  });
  MathJax.startup.defaultReady();
}"""


def mathjax_config(macros: Mapping[str, str | list], tags: str) -> str:
    """The JS object literal for `window.MathJax = …;` from the site's [math] settings.

    Only elements with class `math` are searched: sitegen's Markdown renderer
    marks every formula that way, so a `$` in prose or `\\(` inside `<code>`
    is never typeset. The output is deterministic (sorted keys).
    """
    options = {
        # The pattern is matched against each element's class attribute, and
        # `.*` matches every value, the empty one included (<body> has none),
        # so the whole page is ignored; `processHtmlClass` re-enables the
        # subtree of each `.math` element.
        "ignoreHtmlClass": ".*",
        "processHtmlClass": "math",
    }
    tex = {
        "displayMath": [["\\[", "\\]"]],
        "inlineMath": [["\\(", "\\)"]],
        "macros": dict(macros),
        "packages": {"[+]": [V2_REQUIRE_PACKAGE]},
        "processEnvironments": True,
        "processEscapes": False,
        "require": {
            "allow": dict.fromkeys(MATHJAX_3_EXTENSIONS, True),
            "defaultAllow": False,
        },
        "tags": tags,
    }
    ready = _READY % {
        "aliases": _json({name: list(v3) for name, v3 in V2_EXTENSIONS.items()}),
        "package": _json(V2_REQUIRE_PACKAGE),
    }
    return f'{{"options": {_json(options)}, "startup": {{"ready": {ready}}}, "tex": {_json(tex)}}}'


def _json(value: object) -> str:
    # The config sits in an inline <script>: escaping "<" (only ever inside a
    # JSON string here) means no macro text can close or comment out the tag.
    return json.dumps(value, sort_keys=True).replace("<", "\\u003c")
