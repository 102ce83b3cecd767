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


# The attribute that marks a TeX scope in a page: an element whose formulas are
# typeset as a document of their own, so their `\label`s and equation numbers
# neither clash with nor continue those of other scopes. A list page marks each
# excerpt; a page with no mark (a post) is one scope, typeset as MathJax would.
SCOPE_ATTRIBUTE = "data-math-scope"

# Replaces MathJax's pageReady (its initial typesetting) when the page marks
# scopes. Each `.math` belongs to its nearest marked ancestor, or to the page
# (the unmarked rest); each group is typeset in turn, in document order, after
# `MathJax.texReset()` empties the labels and restarts the numbering.
#
# Each step is MathJax.typesetPromise's own body in 3.2.2 (components/startup.ts:
# set the document's elements, reset, render under handleRetriesFor), run on
# the document here, one scope after the other. defaultReady resolves
# MathJax.startup.promise with the promise returned here, so that promise
# waits for every scope; anything here that itself waited on
# startup.promise (the documented way to queue a typeset) would never run.
# Two things plain typeset calls would get wrong:
# - a formula with a forward `\eqref` keeps `inputData.recompile` after it is
#   compiled again, and every later render() rolls it back and recompiles it
#   with the labels of whatever scope is being typeset (MathDocument.compile);
#   once its scope is done, the data is dropped;
# - tag ids are `mjx-eqn:LABEL` in every scope, so two excerpts would share
#   ids and each `\eqref` link would jump to the first excerpt; inside a scope
#   they get its name: the attribute's value, else its number on the page.
_PAGE_READY = """function () {
  var startup = MathJax.startup;
  var doc = startup.document;
  var attribute = %(attribute)s;
  var groups = [];
  var scopes = new Map();
  document.querySelectorAll(".math").forEach(function (element) {
    var scope = element.closest("[" + attribute + "]");
    if (!scopes.has(scope)) {
      scopes.set(scope, []);
      groups.push(scope);
    }
    scopes.get(scope).push(element);
  });
  if (!groups.some(function (scope) { return scope !== null; })) {
    return startup.defaultPageReady();
  }
  var mathjax = MathJax._.mathjax.mathjax;
  var tags = doc.inputJax.filter(function (jax) { return jax.name === "TeX"; })[0]
    .parseOptions.tags;
  var named = Array.from(document.querySelectorAll("[" + attribute + "]"));
  function restore() {
    delete tags.formatId;
    doc.options.elements = null;
  }
  return groups.reduce(function (previous, scope) {
    return previous.then(function () {
      MathJax.texReset();
      if (scope === null) {
        delete tags.formatId;
      } else {
        var name = scope.getAttribute(attribute) || String(named.indexOf(scope) + 1);
        tags.formatId = function (id) {
          return "mjx-eqn:" + name + ":" + id.replace(/\\s/g, "_");
        };
      }
      doc.options.elements = scopes.get(scope);
      doc.reset();
      return mathjax.handleRetriesFor(function () { doc.render(); });
    }).then(function () {
      for (var item of doc.math) delete item.inputData.recompile;
    });
  }, Promise.resolve()).then(restore, function (error) {
    restore();
    throw error;
  });
}"""


def mathjax_config(macros: Mapping[str, str | list], tags: str) -> str:
    """The JS object literal for `window.MathJax = …;` from the site's [math] settings.

    Only elements with class `math` are searched: sitegen's Markdown renderer
    marks every formula that way, so a `$` in prose or `\\(` inside `<code>`
    is never typeset. Elements marked with `SCOPE_ATTRIBUTE` (a list page's
    excerpts) are each typeset with their own labels and equation numbers.
    The output is deterministic (sorted keys).
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
    page_ready = _PAGE_READY % {"attribute": _json(SCOPE_ATTRIBUTE)}
    startup = f'{{"pageReady": {page_ready}, "ready": {ready}}}'
    return f'{{"options": {_json(options)}, "startup": {startup}, "tex": {_json(tex)}}}'


def _json(value: object) -> str:
    # The config sits in an inline <script>: escaping "<" (only ever inside a
    # JSON string here) means no macro text can close or comment out the tag.
    return json.dumps(value, sort_keys=True).replace("<", "\\u003c")
